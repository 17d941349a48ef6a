from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # What a person's export shows of the replies kept for their phone, and that erasing them
        # deletes those replies.
        from api.privacy import SYNC_REQUESTS
        from members import extensions

        extensions.on_personal_data(SYNC_REQUESTS)
