"""Serving a service worker script from the project's static files at an address of our choosing.

A worker's scope can reach no higher than its own address, unless the response allows more with
``Service-Worker-Allowed``; and browsers must see a new version at once (``no-cache``), not after a
long static-file cache time.
"""

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET


def service_worker_view(static_path: str, *, scope: str):
    """A view serving ``static_path`` as a service worker allowed to control ``scope``."""

    @require_GET
    def view(request):
        path = finders.find(static_path)
        if not path:
            raise Http404
        with open(path, "rb") as handle:
            response = HttpResponse(handle.read(), content_type="text/javascript; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        response["Service-Worker-Allowed"] = scope
        return response

    return view
