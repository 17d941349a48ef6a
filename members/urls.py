from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("dang-nhap/", views.PhoneLoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
]
