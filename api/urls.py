from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api.views import attendance, auth, certificates, community, fallback, learning, privacy, reference, stats

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("communes", reference.CommuneViewSet, basename="commune")
router.register("villages", reference.VillageViewSet, basename="village")
router.register("competency-frameworks", reference.FrameworkViewSet, basename="framework")
router.register("competency-profiles", reference.ProfileViewSet, basename="profile")
router.register("groups", community.GroupViewSet, basename="group")
router.register("memberships", community.MembershipViewSet, basename="membership")
router.register("members", community.MemberViewSet, basename="member")
router.register("me/invitations", community.MyInvitationViewSet, basename="my-invitation")
router.register("sessions", attendance.SessionViewSet, basename="session")
router.register("attendance/marks", attendance.MarkViewSet, basename="mark")
router.register("courses", learning.CourseViewSet, basename="course")
router.register("lessons", learning.LessonViewSet, basename="lesson")
router.register("enrolments", learning.EnrolmentViewSet, basename="enrolment")
router.register("certificates", certificates.CertificateViewSet, basename="certificate")

app_name = "api"

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("auth/password-reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path("members/<int:pk>/reset-code/", auth.ResetCodeView.as_view(), name="member-reset-code"),
    path("me/", auth.MeView.as_view(), name="me"),
    path("me/competencies/", learning.MyCompetenciesView.as_view(), name="my-competencies"),
    path("me/data/", privacy.MyDataView.as_view(), name="my-data"),
    path("attendance/sync/", attendance.AttendanceSyncView.as_view(), name="attendance-sync"),
    path("certificates/verify/", certificates.VerifyView.as_view(), name="certificate-verify"),
    path("certificates/keys/", certificates.KeysView.as_view(), name="certificate-keys"),
    path("stats/attainment/", stats.AttainmentView.as_view(), name="stats-attainment"),
    path("stats/profiles/", stats.ProfilesView.as_view(), name="stats-profiles"),
    path("stats/funnel/", stats.FunnelView.as_view(), name="stats-funnel"),
    path("stats/activity/", stats.ActivityView.as_view(), name="stats-activity"),
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Last: unknown addresses get a JSON 404. Only those ending in "/", so that CommonMiddleware can
    # still redirect /api/v1/me to /api/v1/me/.
    re_path(r"^[\s\S]*/$", fallback.NotFoundView.as_view(), name="not-found"),
]
