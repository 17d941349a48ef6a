from django.urls import path

from learning import views

app_name = "learning"

urlpatterns = [
    path("hoc-cua-toi/", views.my_learning, name="my_learning"),
    path("hoc/khoa/<int:course_id>/bat-dau/", views.course_start, name="course_start"),
    path("hoc/bai/<int:lesson_id>/xong/", views.lesson_done, name="lesson_done"),
    path("hoc/bai/<int:lesson_id>/tra-loi/", views.quiz_submit, name="quiz_submit"),
    path("hoc-khong-can-mang/", views.offline_learning, name="offline_learning"),
]
