from django.utils import translation
from django.views import defaults
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api.errors import django_error


class NotFoundView(APIView):
    """Any other address under /api/v1/ answers in the API's own error format, not with an HTML page."""

    permission_classes = [AllowAny]
    authentication_classes = []
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound()

    def get(self, request, *args, **kwargs):
        raise NotFound()

    post = put = patch = delete = head = options = get


def _under_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _json_error(request, status_code: int, exception=None):
    # The error may have come before ApiLanguageMiddleware ran: the language is read here again.
    with translation.override(translation.get_language_from_request(request, check_path=False)):
        return django_error(status_code, exception)


# Django's error handlers (lms/urls.py): JSON under /api/, the site's own pages everywhere else.


def bad_request(request, exception):
    if _under_api(request):
        return _json_error(request, 400, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _under_api(request):
        return _json_error(request, 403, exception)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _under_api(request):
        return _json_error(request, 404, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _under_api(request):
        return _json_error(request, 500)
    return defaults.server_error(request)
