from django.urls import path, re_path

from stats import views

app_name = "stats"

urlpatterns = [
    path("", views.AttainmentView.as_view(), name="attainment"),
    path("khoa-hoc/", views.FunnelView.as_view(), name="funnel"),
    path("hoat-dong/", views.ActivityView.as_view(), name="activity"),
    re_path(r"^xuat/(?P<slug>[a-z0-9-]{1,60})\.(?P<file_format>csv|xlsx)$", views.export, name="export"),
    path("lam-moi/", views.refresh, name="refresh"),
]
