"""The service worker and web app manifest (static/members/sw.js): served from the site root so that
the worker's scope covers both the leaders' pages (/to/…) and the lessons a resident opened."""

from django.http import JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from members.service_workers import service_worker_view

service_worker = service_worker_view("members/sw.js", scope="/")


@require_GET
def manifest(request):
    return JsonResponse(
        {
            "name": "HọcSố",
            "short_name": "HọcSố",
            "description": _("Digital skills for everyone in Cao Bằng: short lessons for your phone."),
            "lang": "vi",
            "start_url": "/to-cua-toi/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#f6f7f4",
            "theme_color": "#0b5d3b",
            "icons": [
                {"src": static("members/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("members/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        },
        content_type="application/manifest+json",
    )
