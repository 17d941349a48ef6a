from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("dang-nhap/", views.PhoneLoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("dang-ky/", views.signup, name="signup"),
    path("dang-ky/thon-xom/", views.choose_village, name="village"),
    path("hoc-cua-toi/", views.my_learning, name="my_learning"),
    path("hoc/khoa/<int:course_id>/bat-dau/", views.course_start, name="course_start"),
    path("hoc/bai/<int:lesson_id>/xong/", views.lesson_done, name="lesson_done"),
    path("hoc/bai/<int:lesson_id>/tra-loi/", views.quiz_submit, name="quiz_submit"),
    path("to/<str:group_code>/dang-ky-ho/", views.assisted_signup, name="assisted_signup"),
]
