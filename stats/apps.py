from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Facts changed in some communes (members.extensions): note it, and refresh their numbers.
        from members import extensions
        from stats import services

        extensions.on_community_changed(services.communes_changed)
        extensions.on_people_changed(services.people_changed)
        extensions.on_sessions_changed(services.sessions_changed)
