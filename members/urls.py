from django.urls import path

from members import privacy_views, views

app_name = "members"

urlpatterns = [
    path("dang-nhap/", views.PhoneLoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("quen-mat-khau/", views.forgot_password, name="forgot_password"),
    path("dang-ky/", views.signup, name="signup"),
    path("dang-ky/thon-xom/", views.choose_village, name="village"),
    path("to/<str:group_code>/dang-ky-ho/", views.assisted_signup, name="assisted_signup"),
    path("to/<str:group_code>/moi-vao-to/", views.assisted_invite, name="assisted_invite"),
    path("loi-moi/<int:invitation_id>/dong-y/", views.invitation_accept, name="invitation_accept"),
    path("loi-moi/<int:invitation_id>/tu-choi/", views.invitation_decline, name="invitation_decline"),
    path("loi-moi/<int:invitation_id>/ma-moi/", views.invitation_new_code, name="invitation_new_code"),
    path("du-lieu-cua-toi/", privacy_views.my_data, name="my_data"),
    path("du-lieu-cua-toi/tai-ve.json", privacy_views.my_data_download, name="my_data_download"),
    path("du-lieu-cua-toi/xoa/", privacy_views.my_data_erase, name="my_data_erase"),
]
