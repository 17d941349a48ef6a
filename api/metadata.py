"""What OPTIONS answers under /api/v1/.

DRF's SimpleMetadata also describes a POST or PUT body from the view's ``serializer_class``. Here that
class describes the answer (the body a view reads is its own ``...InputSerializer``), and a view with
none, such as the learning actions, made OPTIONS fail with a server error. So OPTIONS says what the
view is and which formats it reads and writes, the Allow header lists its methods, and the bodies are
described where they are right: the OpenAPI schema.
"""

from django.urls import reverse
from rest_framework.metadata import BaseMetadata


class Metadata(BaseMetadata):
    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "schema": reverse("api:schema"),
        }
