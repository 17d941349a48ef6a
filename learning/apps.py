from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    """What residents learn: enrolments, lesson progress, quiz attempts, competency awards, the chain
    that joins them (enrol → lessons → quiz → course completed → competencies) and the learner's pages."""

    name = "learning"
    verbose_name = _("Learning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from learning.privacy import LEARNING
        from members import extensions

        for part in LEARNING:
            extensions.on_personal_data(part)
