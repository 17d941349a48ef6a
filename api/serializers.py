"""Output serializers (ModelSerializer) and input serializers (plain Serializer, *InputSerializer).
No side effects here: views call services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from attendance.models import AttendanceMark, Session
from attendance.services import MAX_MARKS
from certificates import verification
from certificates.models import Certificate
from courses.models import (
    Competency,
    CompetencyArea,
    CompetencyFramework,
    CompetencyProfile,
    CoursePage,
    LessonPage,
)
from learning.models import Enrolment
from members import invitation_codes
from members.dates import validate_plausible
from members.models import Commune, CommunityGroup, GroupInvitation, Membership, User, Village
from members.phone import normalize_phone

# Reference -------------------------------------------------------------------------------------


class CommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["code", "name", "kind", "display_name"]


class VillageSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune.code")

    class Meta:
        model = Village
        fields = ["id", "name", "commune", "has_mobile_signal"]


class CompetencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Competency
        fields = ["id", "code", "name", "name_en"]


class CompetencyAreaSerializer(serializers.ModelSerializer):
    competencies = CompetencySerializer(many=True)

    class Meta:
        model = CompetencyArea
        fields = ["number", "name", "name_en", "competencies"]


class FrameworkSerializer(serializers.ModelSerializer):
    areas = CompetencyAreaSerializer(many=True)

    class Meta:
        model = CompetencyFramework
        fields = ["code", "name", "name_en", "version", "source_document", "is_current", "areas"]


class RequirementSerializer(serializers.Serializer):
    competency = serializers.CharField(source="competency.code")
    level = serializers.IntegerField()


class ProfileSerializer(serializers.ModelSerializer):
    requirements = RequirementSerializer(many=True)

    class Meta:
        model = CompetencyProfile
        fields = ["code", "name", "name_en", "description", "requirements"]


# People and groups ---------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    village = serializers.CharField(source="village.name", default=None, allow_null=True)
    commune = serializers.CharField(source="village.commune.code", default=None, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "full_name",
            "phone",
            "village",
            "commune",
            "birth_year",
            "preferred_language",
            "date_joined",
        ]

    def get_phone(self, person) -> str:
        return person.phone_display  # "—" for a person whose data was deleted


class GroupSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune.code")
    village = serializers.CharField(source="village.name", default=None, allow_null=True)
    active_member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CommunityGroup
        fields = ["code", "name", "commune", "village", "is_active", "active_member_count"]


class MembershipSerializer(serializers.ModelSerializer):
    person = PersonSerializer(source="user")
    group = serializers.CharField(source="group.code")

    class Meta:
        model = Membership
        fields = ["id", "group", "person", "role", "joined_on", "left_on"]


class MembershipInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32)
    full_name = serializers.CharField(max_length=150, required=False)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all(), required=False)
    birth_year = serializers.IntegerField(required=False, min_value=1900, max_value=2100)
    password = serializers.CharField(required=False, write_only=True, min_length=8)
    consent = serializers.BooleanField(
        default=False, help_text=_("Required when signing up someone new: they agreed in front of you.")
    )

    def validate_phone(self, value: str) -> str:
        return normalize_phone(value)


class MembershipEndInputSerializer(serializers.Serializer):
    left_on = serializers.DateField(required=False, validators=[validate_plausible])


# Invitations ---------------------------------------------------------------------------------------


def _invitation_status() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        source="current_status",
        choices=GroupInvitation.Status.choices,
        help_text=_("A pending invitation past its date reads “expired”."),
    )


class InvitationSerializer(serializers.ModelSerializer):
    """All that whoever invited learns from adding a number: an invitation waits, until when."""

    status = _invitation_status()

    class Meta:
        model = GroupInvitation
        fields = ["id", "status", "expires_at"]


class InvitationReplySerializer(serializers.Serializer):
    invitation = InvitationSerializer()


class GroupInvitationSerializer(serializers.ModelSerializer):
    """A group's invitation, for those who manage the group: the number as typed, masked."""

    phone = serializers.CharField(
        source="phone_hint", help_text=_("The number that was typed, partly hidden: 0912 *** 678.")
    )
    status = _invitation_status()
    invited_by = serializers.CharField(source="invited_by.full_name", default=None, allow_null=True)
    code_locked = serializers.BooleanField(
        read_only=True, help_text=_("Too many wrong codes: the person must get a new code first.")
    )

    class Meta:
        model = GroupInvitation
        fields = [
            "id",
            "phone",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "decided_at",
            "code_locked",
        ]


class MyInvitationSerializer(serializers.ModelSerializer):
    """An invitation addressed to the caller, with the code to read out to the group leader."""

    group = serializers.CharField(source="group.code")
    group_name = serializers.CharField(source="group.name")
    commune = serializers.CharField(source="group.commune.display_name")
    village = serializers.CharField(source="group.village.name", default=None, allow_null=True)
    invited_by = serializers.CharField(source="invited_by.full_name", default=None, allow_null=True)
    status = _invitation_status()
    code = serializers.SerializerMethodField(
        help_text=_(
            "Read it out to the group leader to join in front of them. Empty once answered, or after "
            "too many wrong codes (ask for a new one)."
        )
    )
    code_locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = GroupInvitation
        fields = [
            "id",
            "group",
            "group_name",
            "commune",
            "village",
            "role",
            "invited_by",
            "created_at",
            "expires_at",
            "status",
            "code",
            "code_locked",
        ]

    def get_code(self, invitation) -> str | None:
        if not invitation.is_open or invitation.code_locked:
            return None
        return invitation_codes.display(invitation)


class InvitationCodeInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=16, help_text=_("The code the invited person reads out from their phone, e.g. K7M-4QX.")
    )


# Sessions and attendance --------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    group = serializers.CharField(source="group.code")

    class Meta:
        model = Session
        fields = ["uuid", "group", "starts_at", "topic", "place", "course", "lesson", "created_at"]


class SessionInputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(required=False)
    group = serializers.CharField(max_length=20)
    starts_at = serializers.DateTimeField(validators=[validate_plausible])
    topic = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class CurrentAttendanceSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    status = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    mark = serializers.UUIDField(source="uuid")


class AttendanceMarkSerializer(serializers.ModelSerializer):
    session = serializers.UUIDField(source="session.uuid")

    class Meta:
        model = AttendanceMark
        fields = [
            "uuid",
            "session",
            "member",
            "status",
            "recorded_at",
            "received_at",
            "recorded_by",
            "device_id",
        ]


class SyncSessionInputSerializer(serializers.Serializer):
    """A session planned offline. Its date is checked by the sync, which refuses this session alone
    (``bad_time``): one slip must not make the phone's whole frozen batch fail."""

    uuid = serializers.UUIDField()
    group = serializers.CharField(max_length=20)
    starts_at = serializers.DateTimeField()
    topic = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class SyncMarkInputSerializer(serializers.Serializer):
    """A mark taken offline. A phone whose clock was reset stamps 1970: the sync refuses that mark
    alone (``clock_wrong``) and records the others of the batch."""

    uuid = serializers.UUIDField()
    session = serializers.UUIDField()
    member = serializers.IntegerField(min_value=1)
    status = serializers.CharField(max_length=10)
    recorded_at = serializers.DateTimeField()
    device_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class SyncInputSerializer(serializers.Serializer):
    sessions = SyncSessionInputSerializer(
        many=True,
        required=False,
        default=list,
        max_length=100,
        error_messages={"max_length": _("At most {max_length} sessions per request.")},
    )
    marks = SyncMarkInputSerializer(
        many=True,
        max_length=MAX_MARKS,
        error_messages={"max_length": _("At most {max_length} marks per request.")},
    )


class OutcomeSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    outcome = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"])
    reason = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)


class SyncResultSerializer(serializers.Serializer):
    sessions = OutcomeSerializer(many=True)
    marks = OutcomeSerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())


# Courses and learning -----------------------------------------------------------------------------


class CourseTargetSerializer(serializers.Serializer):
    competency = serializers.CharField(source="competency.code")
    level = serializers.IntegerField()


class CourseSerializer(serializers.ModelSerializer):
    locale = serializers.CharField(source="locale.language_code")
    url = serializers.CharField(source="url_path")
    lesson_count = serializers.IntegerField(read_only=True)
    competencies = CourseTargetSerializer(source="target_competencies", many=True)

    class Meta:
        model = CoursePage
        fields = [
            "id",
            "code",
            "title",
            "summary",
            "audience",
            "estimated_minutes",
            "pass_mark",
            "locale",
            "url",
            "lesson_count",
            "competencies",
        ]


class LessonSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = LessonPage
        fields = ["id", "title", "slug", "minutes", "summary"]


class QuizResultQuestionSerializer(serializers.Serializer):
    id = serializers.CharField(source="question.id")
    number = serializers.IntegerField(source="question.number")
    correct = serializers.BooleanField(source="is_correct")
    chosen = serializers.ListField(child=serializers.IntegerField())
    right_answers = serializers.ListField(child=serializers.IntegerField())
    feedback = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField(source="question.explanation")


class QuizInputSerializer(serializers.Serializer):
    submission_id = serializers.UUIDField()
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=50), max_length=10),
        help_text=_("For each question id, the indexes of the chosen answers."),
    )


class EnrolmentSerializer(serializers.ModelSerializer):
    course = serializers.IntegerField(source="course_id")
    course_code = serializers.CharField(source="course.code")
    lessons_done = serializers.IntegerField(source="done", read_only=True)
    lesson_count = serializers.IntegerField(source="total", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "course",
            "course_code",
            "enrolled_at",
            "completed_at",
            "lessons_done",
            "lesson_count",
        ]


class EnrolInputSerializer(serializers.Serializer):
    course = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


# Certificates ----------------------------------------------------------------------------------------


class CertificateSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    verify_url = serializers.SerializerMethodField(
        help_text=_("The public verify page with the check code filled in: a link the holder can share.")
    )
    awaits_download = serializers.BooleanField(
        help_text=_("Signed again with a new key: the holder should download and print it again.")
    )

    class Meta:
        model = Certificate
        fields = [
            "serial",
            "uuid",
            "holder_name",
            "kind",
            "achievement_code",
            "achievement_title",
            "competencies",
            "language",
            "issued_at",
            "issuer_name",
            "status",
            "revoked_at",
            "revoked_reason",
            "key_id",
            "check_code",
            "reissued_at",
            "awaits_download",
            "verify_url",
        ]

    def get_verify_url(self, certificate) -> str:
        return f"/v/{certificate.serial}/?code={certificate.check_code}"


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class VerifyInputSerializer(serializers.Serializer):
    payload = serializers.CharField(
        required=False,
        max_length=1000,
        help_text=_("The QR code's text, its verify URL, or the base32 payload"),
    )
    serial = serializers.CharField(required=False, max_length=40, help_text=_("e.g. CB-2026-000123"))
    code = serializers.CharField(
        required=False, max_length=20, help_text=_("The check code printed beside the serial")
    )

    def validate(self, data):
        if data.get("payload"):
            return {"payload": data["payload"], "serial": data.get("serial", "")}
        if not data.get("serial"):
            raise serializers.ValidationError(
                {"serial": [_("Give the certificate's serial and check code, or the text of its QR code.")]}
            )
        if not data.get("code"):
            raise serializers.ValidationError(
                {"code": [_("Give the check code printed beside the serial (6 letters and digits).")]}
            )
        if not verification.code_is_well_formed(data["code"]):
            raise serializers.ValidationError(
                {"code": [_("The check code has 6 letters and digits, as printed beside the serial.")]}
            )
        return {"serial": data["serial"], "code": verification.normalise_code(data["code"])}


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=verification.Status.choices)
    title = serializers.CharField(help_text=_("The verdict in a few words, in the caller's language."))
    message = serializers.SerializerMethodField(help_text=_("The verdict in sentences, for people."))
    serial = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    signature_checked = serializers.BooleanField()
    # Empty (null) for a stub whose holder's data was deleted.
    holder_name = serializers.SerializerMethodField()
    achievement_code = serializers.CharField(
        source="certificate.achievement_code", default=None, allow_null=True
    )
    achievement_title = serializers.CharField(
        source="certificate.achievement_title", default=None, allow_null=True
    )
    issued_at = serializers.DateTimeField(source="certificate.issued_at", default=None, allow_null=True)
    issuer_name = serializers.CharField(source="certificate.issuer_name", default=None, allow_null=True)
    revoked_at = serializers.DateTimeField(source="certificate.revoked_at", default=None, allow_null=True)
    revoked_reason = serializers.CharField(source="certificate.revoked_reason", default=None, allow_null=True)
    competencies = serializers.JSONField(source="certificate.competencies", default=None, allow_null=True)

    def get_holder_name(self, result) -> str | None:
        return (result.certificate.holder_name or None) if result.certificate is not None else None

    def get_message(self, result) -> str:
        return " ".join(result.messages)


# Auth ---------------------------------------------------------------------------------------------------


class TokenInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    phone = serializers.CharField()
    preferred_language = serializers.CharField()
    village = serializers.CharField(allow_null=True)
    commune = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    communes = serializers.ListField(
        child=serializers.CharField(), help_text=_("Communes you follow as an officer.")
    )
    province = serializers.BooleanField(help_text=_("You follow the whole province."))
    groups_led = serializers.ListField(child=serializers.CharField())
    groups = serializers.ListField(child=serializers.CharField())
