"""The API's JSON: DRF's, except that a datetime a view hands over as it is (not through a serializer
field, e.g. a token's expiry) is also shown in Vietnam's time, +07:00, not in UTC."""

import datetime

from django.utils import timezone
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder


class Encoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, datetime.datetime) and timezone.is_aware(obj):
            return timezone.localtime(obj).isoformat()
        return super().default(obj)


class JSONRenderer(renderers.JSONRenderer):
    encoder_class = Encoder
