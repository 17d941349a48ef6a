from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class NotFoundView(APIView):
    """Any other address under /api/v1/ answers in the API's own error format, not with an HTML page."""

    permission_classes = [AllowAny]
    authentication_classes = []
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound()

    def get(self, request, *args, **kwargs):
        raise NotFound()

    post = put = patch = delete = head = get
