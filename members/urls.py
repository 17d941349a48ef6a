from django.urls import path

from members import leader_views, offline_views, privacy_views, views

app_name = "members"

urlpatterns = [
    path("dang-nhap/", views.PhoneLoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("quen-mat-khau/", views.forgot_password, name="forgot_password"),
    path("dang-ky/", views.signup, name="signup"),
    path("dang-ky/thon-xom/", views.choose_village, name="village"),
    path("hoc-cua-toi/", views.my_learning, name="my_learning"),
    path("hoc/khoa/<int:course_id>/bat-dau/", views.course_start, name="course_start"),
    path("hoc/bai/<int:lesson_id>/xong/", views.lesson_done, name="lesson_done"),
    path("hoc/bai/<int:lesson_id>/tra-loi/", views.quiz_submit, name="quiz_submit"),
    path("to/<str:group_code>/dang-ky-ho/", views.assisted_signup, name="assisted_signup"),
    path("to/<str:group_code>/moi-vao-to/", views.assisted_invite, name="assisted_invite"),
    path("loi-moi/<int:invitation_id>/dong-y/", views.invitation_accept, name="invitation_accept"),
    path("loi-moi/<int:invitation_id>/tu-choi/", views.invitation_decline, name="invitation_decline"),
    path("loi-moi/<int:invitation_id>/ma-moi/", views.invitation_new_code, name="invitation_new_code"),
    path("to-cua-toi/", leader_views.my_groups, name="my_groups"),
    path("hoc-khong-can-mang/", offline_views.offline_learning, name="offline_learning"),
    path("to/<str:code>/", leader_views.group, name="group"),
    path("to/<str:code>/roi-to/<int:membership_id>/", leader_views.member_left, name="member_left"),
    path(
        "to/<str:code>/loi-moi/<int:invitation_id>/nhap-ma/",
        leader_views.invitation_enter_code,
        name="invitation_enter_code",
    ),
    path(
        "to/<str:code>/loi-moi/<int:invitation_id>/huy/",
        leader_views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("to/<str:code>/buoi-moi/", leader_views.session_new, name="session_new"),
    path("to/<str:code>/buoi/moi/", leader_views.session_offline, name="session_offline"),
    path("to/<str:code>/buoi/<uuid:session_uuid>/", leader_views.session, name="session"),
    path("to/<str:code>/diem-danh/", leader_views.summary, name="summary"),
    path("du-lieu-cua-toi/", privacy_views.my_data, name="my_data"),
    path("du-lieu-cua-toi/tai-ve.json", privacy_views.my_data_download, name="my_data_download"),
    path("du-lieu-cua-toi/xoa/", privacy_views.my_data_erase, name="my_data_erase"),
    path("to/<str:code>/ma-dat-lai/<int:user_id>/", leader_views.reset_code, name="reset_code"),
]
