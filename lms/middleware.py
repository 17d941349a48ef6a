from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, except under the admin prefixes whose inline scripts the policy would break."""

    def process_response(self, request, response):
        if request.path.startswith(tuple(settings.CSP_EXEMPT_PATH_PREFIXES)):
            return response
        return super().process_response(request, response)
