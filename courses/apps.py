from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageViewRestriction, Site

        from courses import serving

        for model, handler in (
            (Site, serving.forget_sites),
            (PageViewRestriction, serving.forget_restrictions),
        ):
            post_save.connect(handler, sender=model, dispatch_uid=f"hocso-{model.__name__}-saved")
            post_delete.connect(handler, sender=model, dispatch_uid=f"hocso-{model.__name__}-deleted")
