from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Bookkeeping only: caches and derived files follow the content.
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site
        from wagtail.signals import page_published

        from courses import serving, uploads

        post_save.connect(serving.forget_sites, sender=Site, dispatch_uid="hocso-Site-saved")
        post_delete.connect(serving.forget_sites, sender=Site, dispatch_uid="hocso-Site-deleted")
        page_published.connect(renditions_after_publish, dispatch_uid="hocso-renditions-after-publish")
        uploads.limit_image_decoding()


def renditions_after_publish(sender, instance, **kwargs):
    """Renditions are derived files, like a cache: make them when a page goes live, off the request."""
    from django.db import transaction

    from courses.models import CoursePage, LessonPage
    from courses.tasks import prepare_renditions

    if isinstance(instance, CoursePage | LessonPage):
        transaction.on_commit(lambda: prepare_renditions.enqueue(instance.pk))
