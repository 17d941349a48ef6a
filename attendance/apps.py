from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    """Group sessions and attendance: the marks leaders take on phones that may be offline for days,
    their sync, and the leaders' pages with their offline scripts."""

    name = "attendance"
    verbose_name = _("Attendance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from attendance.privacy import ATTENDANCE
        from members import extensions

        for part in ATTENDANCE:
            extensions.on_personal_data(part)
