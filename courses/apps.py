from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Bookkeeping only: caches and derived files follow the content.
        from django.db.models.signals import post_delete, post_migrate, post_save
        from wagtail.images import get_image_model
        from wagtail.models import Locale, Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from courses import serving, uploads
        from courses.models import Competency, CompetencyArea, CompetencyFramework

        post_save.connect(serving.forget_sites, sender=Site, dispatch_uid="hocso-Site-saved")
        post_delete.connect(serving.forget_sites, sender=Site, dispatch_uid="hocso-Site-deleted")
        # Stored pages (courses.serving.SharedPageCacheMiddleware) go out of date with what they show.
        page_published.connect(serving.forget_pages, dispatch_uid="hocso-pages-published")
        page_unpublished.connect(serving.forget_pages, dispatch_uid="hocso-pages-unpublished")
        post_page_move.connect(serving.forget_pages, dispatch_uid="hocso-pages-moved")
        post_migrate.connect(serving.forget_pages, sender=self, dispatch_uid="hocso-pages-deploy")
        for model in (Page, PageViewRestriction, Site, Locale, get_image_model()):
            post_delete.connect(
                serving.forget_pages, sender=model, dispatch_uid=f"hocso-pages-{model.__name__}-d"
            )
        for model in (PageViewRestriction, Site, Locale, get_image_model()):
            post_save.connect(
                serving.forget_pages, sender=model, dispatch_uid=f"hocso-pages-{model.__name__}-s"
            )
        for model in (Competency, CompetencyArea, CompetencyFramework):
            post_save.connect(
                serving.forget_pages, sender=model, dispatch_uid=f"hocso-pages-{model.__name__}-s"
            )
            post_delete.connect(
                serving.forget_pages, sender=model, dispatch_uid=f"hocso-pages-{model.__name__}-d"
            )
        page_published.connect(renditions_after_publish, dispatch_uid="hocso-renditions-after-publish")
        uploads.limit_image_decoding()


def renditions_after_publish(sender, instance, **kwargs):
    """Renditions are derived files, like a cache: make them when a page goes live, off the request."""
    from django.db import transaction

    from courses.models import CoursePage, LessonPage
    from courses.tasks import prepare_renditions

    if isinstance(instance, CoursePage | LessonPage):
        transaction.on_commit(lambda: prepare_renditions.enqueue(instance.pk))
