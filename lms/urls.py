from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from courses import chooser_admin_views, uploads
from members import offline_views
from members.views import StaffPasswordResetConfirmView

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Before Wagtail's own: the same page, which also ends app tokens and sign-in lockouts.
    path(
        "admin/password_reset/confirm/<uidb64>/<token>/",
        StaffPasswordResetConfirmView.as_view(),
        name="wagtailadmin_password_reset_confirm",
    ),
    # Before Wagtail's own: its page chooser, for the people who author content only.
    path("admin/", include(chooser_admin_views.urlpatterns())),
    path("admin/", include(wagtailadmin_urls)),
    # Before Wagtail's own: the same view, with the served file's policy sandboxed.
    re_path(r"^documents/(\d+)/(.*)$", uploads.serve_document, name="document_serve"),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("api.urls")),
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("", include("certificates.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    from certificates.views import not_public

    # Certificate PDFs never live in public media (certificates/storage.py); a file an older version
    # left there is not served either.
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/certificates/", not_public)]
    # Documents are served by /documents/…, which applies page privacy (courses.visibility), never
    # straight from media: in production the web server must not serve media/documents/ either.
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/documents/", not_public)]
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Vietnamese pages live at the root; English ones under /en/.
urlpatterns += i18n_patterns(
    path("", include("members.urls")),
    path("", include("learning.urls")),
    path("", include("attendance.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

# Under /api/ errors answer in the API's JSON format; elsewhere Django's own pages.
handler400 = "api.views.fallback.bad_request"
handler403 = "api.views.fallback.permission_denied"
handler404 = "api.views.fallback.page_not_found"
handler500 = "api.views.fallback.server_error"
