"""The leaders' pages: their groups, sessions and attendance, and the group's people."""

from django.urls import path

from attendance import views

app_name = "attendance"

urlpatterns = [
    path("to-cua-toi/", views.my_groups, name="my_groups"),
    path("to/<str:code>/", views.group, name="group"),
    path("to/<str:code>/roi-to/<int:membership_id>/", views.member_left, name="member_left"),
    path(
        "to/<str:code>/loi-moi/<int:invitation_id>/nhap-ma/",
        views.invitation_enter_code,
        name="invitation_enter_code",
    ),
    path("to/<str:code>/loi-moi/<int:invitation_id>/huy/", views.invitation_cancel, name="invitation_cancel"),
    path("to/<str:code>/buoi-moi/", views.session_new, name="session_new"),
    path("to/<str:code>/buoi/moi/", views.session_offline, name="session_offline"),
    path("to/<str:code>/buoi/<uuid:session_uuid>/", views.session, name="session"),
    path("to/<str:code>/diem-danh/", views.summary, name="summary"),
    path("to/<str:code>/ma-dat-lai/<int:user_id>/", views.reset_code, name="reset_code"),
]
