from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
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
from members import lockout, permissions, throttling
from members.models import Membership, StaffScope
from members.phone import format_phone, normalize_phone
from members.services import passwords

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
    refused = lockout.refusal(request, {"username": phone})
    minutes = lockout.wait_minutes(refused)
    response = error_response(429, "locked_out", lockout.refusal_message(refused, minutes))
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


# A way back from a forgotten password (members/services/passwords.py) ---------------------------


class PasswordResetInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32)
    code = serializers.CharField(max_length=16)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate_phone(self, value: str) -> str:
        try:
            return normalize_phone(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class PasswordResetView(APIView):
    """Choose a new password with a reset code (given by a group leader or officer, or texted). The
    answer is the same whether or not the number has an account. Success signs out every session
    and token of the person; sign in again with the new password."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={
            204: None,
            400: OpenApiResponse(description="Wrong or expired code, or a password that is too weak"),
            429: OpenApiResponse(description="Too many tries for this number or address"),
        },
        auth=[],
    )
    def post(self, request):
        data = PasswordResetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone = data.validated_data["phone"]
        if not passwords.redeem_allowed(phone=phone, address=throttling.client_address(request)):
            response = error_response(
                429, "throttled", _("Too many tries for now. Wait a quarter of an hour.")
            )
            response["Retry-After"] = str(throttling.retry_after("reset_redeem_number"))
            return response
        passwords.password_reset_redeem(
            phone=phone, code=data.validated_data["code"], new_password=data.validated_data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


RESET_CODE = inline_serializer(
    "ResetCode",
    {
        "person": serializers.IntegerField(),
        "code": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
    },
)


class ResetCodeView(APIView):
    """Give a person a one-time code to choose a new password, to read out to them: group leaders for
    their members, officers for their commune, trainers for the province, and only for people with
    no more rights than a resident (administrators: anyone). The code is in this answer only."""

    @extend_schema(request=None, responses={201: RESET_CODE})
    def post(self, request, pk: int):
        person = get_object_or_404(permissions.members_visible_to(request.user), pk=pk)
        issued = passwords.reset_code_issue(person=person, acting_user=request.user)
        response = Response(
            {"person": person.pk, "code": issued.code, "expires_at": issued.expires_at},
            status=status.HTTP_201_CREATED,
        )
        add_never_cache_headers(response)
        return response
