from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import translation


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, except under the admin prefixes whose inline scripts the policy would break.

    The page editor's live preview shows a page in a frame of the admin: Wagtail renders it through
    the middleware as a request for the page itself, flagged ``is_preview``. That rendering, and only
    it, may be framed by the site itself; every other page keeps ``frame-ancestors 'none'``.
    """

    def process_response(self, request, response):
        if request.path.startswith(tuple(settings.CSP_EXEMPT_PATH_PREFIXES)):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if getattr(request, "is_preview", False) and getattr(request, "is_dummy", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts


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
