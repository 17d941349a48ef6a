from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_response
from api.serializers import MeSerializer, TokenInputSerializer
from api.throttling import SignInAddressThrottle, SignInThrottle
from members import lockout, permissions
from members.models import Membership, StaffScope
from members.phone import format_phone

TOKEN = inline_serializer(
    "Token", {"token": serializers.CharField(), "expiry": serializers.DateTimeField(), "user": MeSerializer()}
)


def me_data(user) -> dict:
    scope = permissions.scope_of(user)
    roles = ["resident"]
    if scope.led_group_ids:
        roles.append("group_leader")
    staff = set(StaffScope.objects.filter(user=user).values_list("role", flat=True))
    roles += sorted(staff)
    if user.is_superuser:
        roles.append("admin")
    memberships = Membership.objects.active().filter(user=user).select_related("group")
    village = user.village
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "phone": format_phone(user.phone),
        "preferred_language": user.preferred_language,
        "village": village.name if village else None,
        "commune": village.commune.code if village else None,
        "roles": roles,
        "communes": list(permissions.communes_managed_by(user).values_list("code", flat=True))
        if not scope.province
        else [],
        "province": scope.province,
        "groups_led": sorted(m.group.code for m in memberships if m.role in Membership.LEADING_ROLES),
        "groups": sorted(m.group.code for m in memberships),
    }


def locked_out_response(request, phone: str) -> Response:
    """429 in the API's error format: how long to wait, and the way back (a reset code)."""
    minutes = lockout.wait_minutes(lockout.refusal(request, {"username": phone}))
    response = error_response(429, "locked_out", lockout.refusal_message(minutes))
    response["Retry-After"] = str(minutes * 60)
    return response


class TokenView(APIView):
    """Sign in with a mobile number and password to get a token for the Authorization header
    (``Authorization: Token <token>``); DELETE signs this token out."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [SignInThrottle(), SignInAddressThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            201: TOKEN,
            400: OpenApiResponse(description="Wrong number or password"),
            429: OpenApiResponse(description="Too many tries: wait (Retry-After) or use a reset code"),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone = data.validated_data["phone"]
        user = authenticate(request, username=phone, password=data.validated_data["password"])
        if getattr(request, "axes_locked_out", False):
            return locked_out_response(request, phone)
        if user is None or not user.is_active:
            return error_response(
                400,
                "invalid_login",
                _("The mobile number or the password is wrong. Please check and try again."),
            )
        instance, token = AuthToken.objects.create(user=user)
        # As a session sign-in does: last_login, the sign-in guard's bookkeeping (members/lockout.py).
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response(
            {"token": token, "expiry": instance.expiry, "user": me_data(user)}, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={204: None})
    def delete(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who you are: profile, roles and the territory you follow."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(me_data(request.user))
