from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import translation


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, except under the admin prefixes whose inline scripts the policy would break."""

    def process_response(self, request, response):
        if request.path.startswith(tuple(settings.CSP_EXEMPT_PATH_PREFIXES)):
            return response
        return super().process_response(request, response)


class ApiLanguageMiddleware:
    """The API has no language prefix in its paths, which for Django's LocaleMiddleware means
    "Vietnamese"; apps say which language they want with Accept-Language instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
