"""The API's permission matrix: every endpoint × method × persona, with the one status that is right.

The rules (members/permissions.py), as the API must apply them:

- anonymous callers get 401 everywhere except signing in, redeeming a password reset code,
  verifying a certificate, the public keys, the schema and its docs;
- an object outside the caller's scope is 404, so that its existence does not leak;
- a forbidden action on an object the caller can see is 403;
- a refused request leaves the database as it was.

The matrix is the table below, read into one test case per cell: ``pytest --collect-only -q`` counts
them. Ids read ``METHOD-path-persona-status``. The world (two communes, three groups, two sessions
with marks, two certificates) is built once for the module; every test runs in a savepoint that is
rolled back, so a test that signs out or revokes leaves nothing behind.
"""

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.urls import URLResolver, resolve
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from api import urls
from api.models import IdempotencyRecord
from attendance.models import AttendanceMark, Session
from attendance.services import MarkInput, SessionInput, attendance_sync
from certificates.models import Certificate
from learning import services as learning_services
from learning.models import Enrolment, LessonProgress, QuizAttempt
from members import invitation_codes, services
from members.models import AuditEvent, GroupInvitation, Membership, PasswordResetCode, StaffScope, User
from members.services import passwords
from tests import factories
from tests.conftest import built_once
from tests.factories import PASSWORD, correct_answers

PERSONAS = ("anonymous", "resident", "leader_a", "leader_b", "officer_x", "officer_y", "trainer", "admin")
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Who may record attendance for group A (leader, officer of its commune, the province).
RECORDERS_OF_A = {"leader_a", "officer_x", "trainer", "admin"}

# Path templates take their {names} from Scene.refs. The body column names a BODIES entry ("-": none).
# resident = resident_a, a plain member of group A; A and B are groups of commune X, C of commune Y.
# Certificates are held by resident_a (cert_a) and resident_c (cert_c).
MATRIX_TABLE = """
method  path                                       body            anon res  la   lb   ox   oy   tr   ad
POST    auth/token/                                sign_in         201  201  201  201  201  201  201  201
POST    auth/token/                                wrong_password  400  400  400  400  400  400  400  400
DELETE  auth/token/                                -               401  204  204  204  204  204  204  204
# A forgotten password: anyone redeems a code (a wrong one is refused alike for all); codes are given
# by those who reach a plain resident, and for anyone with more rights only by an administrator.
POST    auth/password-reset/                       reset_redeem    204  204  204  204  204  204  204  204
POST    auth/password-reset/                       reset_wrong     400  400  400  400  400  400  400  400
POST    members/{resident_a2}/reset-code/          -               401  404  201  404  201  404  201  201
POST    members/{leader_b}/reset-code/             -               401  404  404  403  403  404  403  201
GET     me/                                        -               401  200  200  200  200  200  200  200
GET     me/competencies/                           -               401  200  200  200  200  200  200  200
# Everything HọcSố holds about the caller (and only the caller: see the test below the matrix).
GET     me/data/                                   -               401  200  200  200  200  200  200  200
POST    me/data/                                   -               401  405  405  405  405  405  405  405
# Reference data and courses are served to apps that have signed in: 401 without a token.
GET     communes/                                  -               401  200  200  200  200  200  200  200
GET     communes/{commune_x}/                      -               401  200  200  200  200  200  200  200
GET     villages/                                  -               401  200  200  200  200  200  200  200
GET     competency-frameworks/                     -               401  200  200  200  200  200  200  200
GET     competency-frameworks/{framework}/         -               401  200  200  200  200  200  200  200
GET     competency-profiles/                       -               401  200  200  200  200  200  200  200
GET     competency-profiles/{profile}/             -               401  200  200  200  200  200  200  200
GET     groups/                                    -               401  200  200  200  200  200  200  200
GET     groups/{group_a}/                          -               401  200  200  404  200  404  200  200
GET     groups/{group_c}/                          -               401  404  404  404  404  200  200  200
# A resident sees their group, not its roster (403), nor another member's membership (404).
GET     groups/{group_a}/memberships/              -               401  403  200  404  200  404  200  200
GET     groups/{group_c}/memberships/              -               401  404  404  404  404  200  200  200
# Adding a number that has an account invites its owner (202, nothing about them in the reply); a new
# number is signed up at once, with consent (201).
POST    groups/{group_a}/memberships/              add_loner       401  403  202  404  202  404  202  202
POST    groups/{group_c}/memberships/              add_loner       401  404  404  404  404  202  202  202
POST    groups/{group_a}/memberships/              add_new         401  403  201  404  201  404  201  201
# A group's invitations: for those who manage it, like its roster. The invited person reads their code
# out; whoever manages the group types it. An invitation is only reached through its own group.
GET     groups/{group_a}/invitations/              -               401  403  200  404  200  404  200  200
GET     groups/{group_c}/invitations/              -               401  404  404  404  404  200  200  200
POST    groups/{group_a}/invitations/{inv_a}/cancel/       -       401  403  200  404  200  404  200  200
POST    groups/{group_c}/invitations/{inv_c}/cancel/       -       401  404  404  404  404  200  200  200
POST    groups/{group_a}/invitations/{inv_a}/accept-code/  code_a  401  403  200  404  200  404  200  200
POST    groups/{group_a}/invitations/{inv_c}/accept-code/  code_c  401  403  404  404  404  404  404  404
# One's own invitations (resident_a is invited into group B): answered by the invited person alone.
GET     me/invitations/                            -               401  200  200  200  200  200  200  200
POST    me/invitations/{inv_res}/accept/           -               401  200  404  404  404  404  404  404
POST    me/invitations/{inv_res}/decline/          -               401  200  404  404  404  404  404  404
POST    me/invitations/{inv_res}/new-code/         -               401  200  404  404  404  404  404  404
POST    memberships/{membership_a2}/end/           end             401  404  200  404  200  404  200  200
POST    memberships/{membership_own}/end/          end             401  403  200  404  200  404  200  200
POST    memberships/{membership_c}/end/            end             401  404  404  404  404  200  200  200
GET     members/                                   -               401  200  200  200  200  200  200  200
GET     members/{resident_a}/                      -               401  200  200  404  200  404  200  200
GET     members/{resident_c}/                      -               401  404  404  404  404  200  200  200
GET     sessions/                                  -               401  200  200  200  200  200  200  200
POST    sessions/                                  session_a       401  403  201  404  201  404  201  201
POST    sessions/                                  session_c       401  404  404  404  404  201  201  201
GET     sessions/{session_a}/                      -               401  200  200  404  200  404  200  200
GET     sessions/{session_c}/                      -               401  404  404  404  404  200  200  200
# A resident sees their group's sessions, not the other members' attendance at them (403).
GET     sessions/{session_a}/attendance/           -               401  403  200  404  200  404  200  200
GET     sessions/{session_c}/attendance/           -               401  404  404  404  404  200  200  200
GET     attendance/marks/                          -               401  200  200  200  200  200  200  200
# The sync answers 200 with an outcome per mark: "not_allowed" for whoever cannot record for A.
POST    attendance/sync/                           sync_a          401  200  200  200  200  200  200  200
# Anyone signed in learns: enrolling, completing a lesson, a quiz, for themselves.
GET     courses/                                   -               401  200  200  200  200  200  200  200
GET     courses/{course}/                          -               401  200  200  200  200  200  200  200
GET     courses/{course}/lessons/                  -               401  200  200  200  200  200  200  200
GET     lessons/{quiz_lesson}/                     -               401  200  200  200  200  200  200  200
POST    lessons/{reading_lesson}/complete/         -               401  200  200  200  200  200  200  200
POST    lessons/{quiz_lesson}/quiz/                quiz            401  201  201  201  201  201  201  201
# OPTIONS on the learning actions (a server error once): what the action is, for anyone signed in.
OPTIONS lessons/{reading_lesson}/complete/         -               401  200  200  200  200  200  200  200
OPTIONS lessons/{quiz_lesson}/quiz/                -               401  200  200  200  200  200  200  200
GET     enrolments/                                -               401  200  200  200  200  200  200  200
POST    enrolments/                                enrol           401  201  201  201  201  201  201  201
# Certificates: the holder and staff whose territory reaches them (leaders do not open them);
# revoking is for trainers and admins, and a certificate the caller cannot see is 404 as elsewhere.
GET     certificates/                              -               401  200  200  200  200  200  200  200
GET     certificates/{cert_a}/                     -               401  200  404  404  200  404  200  200
GET     certificates/{cert_c}/                     -               401  404  404  404  404  200  200  200
GET     certificates/{cert_a}/pdf/                 -               401  200  404  404  200  404  200  200
GET     certificates/{cert_a}/badge/               -               401  200  404  404  200  404  200  200
POST    certificates/{cert_a}/revoke/              revoke          401  403  404  404  403  404  200  200
POST    certificates/{cert_c}/revoke/              revoke          401  404  404  404  404  403  200  200
# Statistics: staff only (officers see their commune's numbers; a commune outside theirs is a 400
# on its filter, like any value they cannot choose).
GET     stats/attainment/                          -               401  403  403  403  200  200  200  200
GET     stats/profiles/                            -               401  403  403  403  200  200  200  200
GET     stats/funnel/                              -               401  403  403  403  200  200  200  200
GET     stats/activity/                            -               401  403  403  403  200  200  200  200
GET     stats/activity/?commune={commune_x}        -               401  403  403  403  200  400  200  200
POST    stats/activity/                            -               401  403  403  403  405  405  405  405
# No writes where the API has none (405 once signed in, for any object).
DELETE  groups/{group_a}/                          -               401  405  405  405  405  405  405  405
PATCH   members/{resident_a}/                      -               401  405  405  405  405  405  405  405
PUT     sessions/{session_a}/                      -               401  405  405  405  405  405  405  405
DELETE  certificates/{cert_a}/                     -               401  405  405  405  405  405  405  405
# Public: verifying a certificate, the issuer's keys, the schema and its docs. A serial needs the
# check code printed beside it (400 without): the register cannot be walked serial by serial.
GET     certificates/verify/?serial={cert_a}&code={code_a}  -      200  200  200  200  200  200  200  200
GET     certificates/verify/?serial={cert_a}       -               400  400  400  400  400  400  400  400
GET     certificates/keys/                         -               200  200  200  200  200  200  200  200
GET     schema/                                    -               200  200  200  200  200  200  200  200
GET     docs/                                      -               200  200  200  200  200  200  200  200
# Any other address under the API: a JSON 404 for everyone, signed in or not.
GET     no-such-thing/                             -               404  404  404  404  404  404  404  404
POST    no-such-thing/                             -               404  404  404  404  404  404  404  404
"""


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    body: str | None
    persona: str
    expected: int

    @property
    def id(self) -> str:
        path = self.path.replace("{", "").replace("}", "").rstrip("/")
        body = f"({self.body})" if self.body else ""
        return f"{self.method}-{path}{body}-{self.persona}-{self.expected}"


def _read(table: str) -> list[Case]:
    lines = [line.split() for line in table.strip().splitlines() if not line.startswith("#")]
    header, rows = lines[0], lines[1:]
    assert len(header) == 3 + len(PERSONAS)
    cases = []
    for method, path, body, *statuses in rows:
        assert len(statuses) == len(PERSONAS), path
        for persona, status in zip(PERSONAS, statuses, strict=True):
            cases.append(Case(method, path, None if body == "-" else body, persona, int(status)))
    return cases


CASES = _read(MATRIX_TABLE)


# The world, built once --------------------------------------------------------------------------


@dataclass
class Scene:
    world: factories.World
    tokens: dict[str, str]
    refs: dict[str, object]
    courses: dict[str, object]
    marks: dict[str, str]  # mark uuid → "session/person", e.g. "a/resident_a"

    def user(self, persona: str) -> User | None:
        return self.world.personas()[persona]

    def client(self, persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[persona]}")
        return client


def _session_with_marks(recorder, group, people, statuses) -> tuple[Session, dict[str, int]]:
    now = timezone.now()
    session_uuid = uuid.uuid4()
    marks = [
        MarkInput(uuid.uuid4(), session_uuid, person.pk, status, now, "may-1")
        for person, status in zip(people, statuses, strict=True)
    ]
    result = attendance_sync(
        user=recorder,
        sessions=[SessionInput(session_uuid, group.code, now, "VNeID mức 2", "Nhà văn hóa")],
        marks=marks,
    )
    assert result.counts()["accepted"] == len(marks), result
    return Session.objects.get(uuid=session_uuid), {str(m.uuid): m.member_id for m in marks}


def build_scene() -> Scene:
    world = factories.build_world()
    tokens = {
        persona: AuthToken.objects.create(user=user)[1]
        for persona, user in world.personas().items()
        if user is not None
    }
    certified = factories.course(lessons=2, title="Cài đặt và sử dụng VNeID")
    for person in (world.resident_a, world.resident_c):
        for lesson in certified.lessons():
            learning_services.quiz_submit(
                user=person, lesson=lesson, answers=correct_answers(lesson), submission_id=uuid.uuid4()
            )
    practice = factories.course(lessons=2)
    reading = factories.course(lessons=2, questions=0)
    session_a, marks_a = _session_with_marks(
        world.leader_a, world.group_a, [world.resident_a, world.resident_a2], ["present", "late"]
    )
    session_c, marks_c = _session_with_marks(world.leader_c, world.group_c, [world.resident_c], ["present"])
    names = {
        world.resident_a.pk: "resident_a",
        world.resident_a2.pk: "resident_a2",
        world.resident_c.pk: "resident_c",
    }
    marks = {key: f"a/{names[member]}" for key, member in marks_a.items()}
    marks |= {key: f"c/{names[member]}" for key, member in marks_c.items()}
    certificate = {c.holder_id: c.serial for c in Certificate.objects.all()}
    assert set(certificate) == {world.resident_a.pk, world.resident_c.pk}

    def membership(person, group):
        return Membership.objects.get(user=person, group=group, left_on__isnull=True).pk

    def invitation(person, group, leader):
        return services.invitation_invite(group=group, person=person, acting_user=leader).pk

    refs = {
        "commune_x": world.commune_x.code,
        "framework": "TT02-2025",
        "profile": "pho-cap-co-ban",
        "group_a": world.group_a.code,
        "group_c": world.group_c.code,
        "membership_a2": membership(world.resident_a2, world.group_a),
        "membership_own": membership(world.resident_a, world.group_a),
        "membership_c": membership(world.resident_c, world.group_c),
        "resident_a": world.resident_a.pk,
        "resident_a2": world.resident_a2.pk,
        "resident_c": world.resident_c.pk,
        "leader_b": world.leader_b.pk,
        "session_a": session_a.uuid,
        "session_c": session_c.uuid,
        "course": certified.pk,
        "quiz_lesson": practice.lessons().first().pk,
        "reading_lesson": reading.lessons().first().pk,
        "cert_a": certificate[world.resident_a.pk],
        "cert_c": certificate[world.resident_c.pk],
        "inv_res": invitation(world.resident_a, world.group_b, world.leader_b),
        "inv_a": invitation(world.resident_b, world.group_a, world.leader_a),
        "inv_c": invitation(world.loner, world.group_c, world.leader_c),
        "code_a": Certificate.objects.get(holder=world.resident_a).check_code,
    }
    courses = {"certified": certified, "practice": practice, "reading": reading}
    return Scene(world, tokens, refs, courses, marks)


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, build_scene)


# Bodies ------------------------------------------------------------------------------------------


def _sign_in(scene, persona):
    user = scene.user(persona) or scene.world.loner  # anonymous signs in as someone without a token
    return {"phone": user.phone, "password": PASSWORD}


def _wrong_password(scene, persona):
    return {**_sign_in(scene, persona), "password": "khong-phai-mat-khau"}


def _reset_redeem(scene, persona):
    """A code that resident_a2's leader gave them, with a new password."""
    person = scene.world.resident_a2
    issued = passwords.reset_code_issue(person=person, acting_user=scene.world.leader_a)
    return {"phone": person.phone, "code": issued.code, "new_password": "mat-khau-moi-2026"}


def _reset_wrong(scene, persona):
    return {"phone": scene.world.resident_a2.phone, "code": "000000", "new_password": "mat-khau-moi-2026"}


def _session(group_ref):
    def body(scene, persona):
        starts = timezone.now().isoformat()
        return {
            "group": scene.refs[group_ref],
            "starts_at": starts,
            "topic": "Thanh toán không dùng tiền mặt",
        }

    return body


def _sync_a(scene, persona):
    now = timezone.now().isoformat()
    session = {"uuid": str(uuid.uuid4()), "group": scene.refs["group_a"], "starts_at": now, "topic": "VNeID"}
    mark = {
        "uuid": str(uuid.uuid4()),
        "session": session["uuid"],
        "member": scene.world.resident_a.pk,
        "status": "present",
        "recorded_at": now,
        "device_id": "may-2",
    }
    return {"sessions": [session], "marks": [mark]}


def _quiz(scene, persona):
    lesson = scene.courses["practice"].lessons().first()
    return {"submission_id": str(uuid.uuid4()), "answers": correct_answers(lesson)}


def _code(invitation_ref):
    def body(scene, persona):
        invitation = GroupInvitation.objects.get(pk=scene.refs[invitation_ref])
        return {"code": invitation_codes.display(invitation)}

    return body


BODIES = {
    "sign_in": _sign_in,
    "wrong_password": _wrong_password,
    "reset_redeem": _reset_redeem,
    "reset_wrong": _reset_wrong,
    "add_loner": lambda scene, persona: {"phone": scene.world.loner.phone, "role": "member"},
    "add_new": lambda scene, persona: {
        "phone": "0865 432 100",
        "full_name": "Lò Văn Mới",
        "password": "Nam-2026-xa",
        "consent": True,
    },
    "code_a": _code("inv_a"),
    "code_c": _code("inv_c"),
    "end": lambda scene, persona: {},
    "session_a": _session("group_a"),
    "session_c": _session("group_c"),
    "sync_a": _sync_a,
    "quiz": _quiz,
    "enrol": lambda scene, persona: {"course": scene.courses["practice"].pk},
    "revoke": lambda scene, persona: {"reason": "Cấp nhầm người"},
}


# What "the database unchanged" means --------------------------------------------------------------


def snapshot() -> dict[str, list]:
    """Every row a request could create, change or delete (a token's expiry excepted: using a token
    renews it)."""
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "phone", "village_id", "is_active")),
        "staff_scopes": list(StaffScope.objects.order_by("pk").values_list("pk", "role", "commune_id")),
        "memberships": list(
            Membership.objects.order_by("pk").values_list("pk", "group_id", "user_id", "role", "left_on")
        ),
        "sessions": list(Session.objects.order_by("pk").values_list("pk", "uuid", "group_id", "topic")),
        "marks": list(AttendanceMark.objects.order_by("pk").values_list("pk", "uuid", "status")),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list("pk", "user_id", "completed_at")),
        "progress": list(LessonProgress.objects.order_by("pk").values_list("pk")),
        "attempts": list(QuizAttempt.objects.order_by("pk").values_list("pk")),
        "certificates": list(
            Certificate.objects.order_by("pk").values_list("pk", "status", "revoked_at", "revoked_reason")
        ),
        "invitations": list(
            GroupInvitation.objects.order_by("pk").values_list("pk", "status", "code_salt", "code_failures")
        ),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk")),
        "idempotency": list(IdempotencyRecord.objects.order_by("pk").values_list("pk")),
        "reset_codes": list(
            PasswordResetCode.objects.order_by("pk").values_list("pk", "attempts", "used_at")
        ),
        "tokens": sorted(AuthToken.objects.values_list("digest", flat=True)),
    }


def _changed(before: dict, after: dict) -> set[str]:
    return {table for table in before if before[table] != after[table]}


# The matrix --------------------------------------------------------------------------------------


def send(scene: Scene, case: Case):
    client = scene.client(case.persona)
    url = "/api/v1/" + case.path.format(**scene.refs)
    if case.method == "GET":
        return client.get(url)
    body = BODIES[case.body](scene, case.persona) if case.body else None
    headers = {"HTTP_IDEMPOTENCY_KEY": f"matrix-{uuid.uuid4()}"} if case.body == "sync_a" else {}
    return client.generic(case.method, url, data=_json(body), content_type="application/json", **headers)


def _json(body) -> str:
    return json.dumps(body) if body is not None else ""


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission_matrix(scene, db, case):
    before = snapshot() if case.method in MUTATING else None
    response = send(scene, case)
    changed = _changed(before, snapshot()) if before is not None else set()
    if case.expected >= 400:
        assert changed == set(), f"refused, yet answered {response.status_code} and changed {sorted(changed)}"
    content = response.content[:500] if not getattr(response, "streaming", False) else b"<file>"
    assert response.status_code == case.expected, content
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == case.expected and error["code"] and error["message"], error
    if before is None or response.status_code >= 400:
        return
    if case.body == "sync_a":
        outcomes = response.json()
        if case.persona in RECORDERS_OF_A:
            assert outcomes["counts"] == {"accepted": 1, "duplicate": 0, "rejected": 0}, outcomes
            assert {"sessions", "marks"} <= changed
        else:
            assert [s["reason"] for s in outcomes["sessions"]] == ["not_allowed"], outcomes
            assert outcomes["counts"] == {"accepted": 0, "duplicate": 0, "rejected": 1}, outcomes
            assert not changed & {"sessions", "marks", "memberships"}, changed
    else:
        assert changed, "an accepted request changed nothing"


def _route_names(patterns) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _route_names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


def test_the_matrix_covers_every_routed_endpoint():
    """A new route must get its rows in the table."""
    dummies = defaultdict(lambda: "1")
    covered = {resolve("/api/v1/" + case.path.split("?")[0].format_map(dummies)).url_name for case in CASES}
    assert _route_names(urls.urlpatterns) - covered == set()


# Lists return exactly the rows in scope ------------------------------------------------------------

EVERYONE = (
    "leader_a deputy_a leader_b leader_c resident_a resident_a2 resident_b resident_c loner "
    "officer_x officer_y trainer admin"
)
# For each persona, what each list must return, by name: groups by letter, people by their World
# attribute, sessions by group letter, marks as session/person, certificates by holder.
SCOPE_TABLE = {
    "resident": {
        "groups": "A",
        "members": "resident_a",
        "sessions": "a",
        "marks": "",
        "certificates": "resident_a",
        "enrolments": "resident",
        "invitations": "into_b",
    },
    "leader_a": {
        "groups": "A",
        "members": "leader_a deputy_a resident_a resident_a2",
        "sessions": "a",
        "marks": "a/resident_a a/resident_a2",
        "certificates": "",
        "enrolments": "",
        "invitations": "",
    },
    "leader_b": {
        "groups": "B",
        "members": "leader_b resident_b",
        "sessions": "",
        "marks": "",
        "certificates": "",
        "enrolments": "",
        "invitations": "",
    },
    "officer_x": {
        "groups": "A B",
        "members": "officer_x loner leader_a deputy_a resident_a resident_a2 leader_b resident_b",
        "sessions": "a",
        "marks": "a/resident_a a/resident_a2",
        "certificates": "resident_a",
        "enrolments": "",
        "invitations": "",
    },
    "officer_y": {
        "groups": "C",
        "members": "officer_y leader_c resident_c",
        "sessions": "c",
        "marks": "c/resident_c",
        "certificates": "resident_c",
        "enrolments": "",
        "invitations": "",
    },
    "trainer": {
        "groups": "A B C",
        "members": EVERYONE,
        "sessions": "a c",
        "marks": "a/resident_a a/resident_a2 c/resident_c",
        "certificates": "resident_a resident_c",
        "enrolments": "",
        "invitations": "",
    },
    "admin": {
        "groups": "A B C",
        "members": EVERYONE,
        "sessions": "a c",
        "marks": "a/resident_a a/resident_a2 c/resident_c",
        "certificates": "resident_a resident_c",
        "enrolments": "",
        "invitations": "",
    },
}
LISTS = {  # list → (path, the field that names a row)
    "groups": ("groups/", "code"),
    "members": ("members/", "id"),
    "sessions": ("sessions/", "uuid"),
    "marks": ("attendance/marks/", "uuid"),
    "certificates": ("certificates/", "serial"),
    "enrolments": ("enrolments/", "course"),
    "invitations": ("me/invitations/", "id"),
}


def _names(scene: Scene, kind: str, row) -> str:
    """Turn a row's key into the name used in SCOPE_TABLE."""
    world, refs = scene.world, scene.refs
    if kind == "groups":
        return {world.group_a.code: "A", world.group_b.code: "B", world.group_c.code: "C"}.get(row, row)
    if kind == "members":
        people = {getattr(world, name).pk: name for name in EVERYONE.split()}
        return people.get(row, f"user {row}")
    if kind == "sessions":
        return {str(refs["session_a"]): "a", str(refs["session_c"]): "c"}.get(row, row)
    if kind == "marks":
        return scene.marks.get(row, row)
    if kind == "certificates":
        return {refs["cert_a"]: "resident_a", refs["cert_c"]: "resident_c"}.get(row, row)
    if kind == "invitations":
        names = {"inv_res": "into_b", "inv_a": "into_a", "inv_c": "into_c"}
        return {refs[ref]: name for ref, name in names.items()}.get(row, f"invitation {row}")
    # enrolments: resident_a completed the certified course; nobody else enrolled anywhere
    return {scene.courses["certified"].pk: "resident"}.get(row, f"course {row}")


@pytest.mark.parametrize(
    ("persona", "kind"),
    [(persona, kind) for persona in SCOPE_TABLE for kind in LISTS],
    ids=[f"{kind}-{persona}" for persona in SCOPE_TABLE for kind in LISTS],
)
def test_each_list_returns_exactly_the_rows_in_scope(scene, db, persona, kind):
    path, key = LISTS[kind]
    response = scene.client(persona).get(f"/api/v1/{path}")
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["next"] is None, "everything fits on one page"
    returned = sorted(_names(scene, kind, row[key]) for row in body["results"])
    assert returned == sorted(SCOPE_TABLE[persona][kind].split())


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_each_persona_downloads_only_their_own_data(scene, db, persona):
    data = scene.client(persona).get("/api/v1/me/data/").json()
    me = scene.user(persona)
    assert data["person"] == me.pk and data["profile"]["id"] == me.pk
    everyone_else = {u.pk for u in scene.world.personas().values() if u is not None} - {me.pk}
    assert {row["user"] for row in data["memberships"]} <= {me.pk}
    assert {row["holder"] for row in data["certificates"]} <= {me.pk}
    assert {row["member"] for row in data["attendance"]} <= {me.pk}
    assert not everyone_else & {row["user"] for row in data["enrolments"]}


def test_filters_never_widen_a_scope(scene, db):
    """A filter narrows the caller's scope; it never reaches past it."""
    client = scene.client("officer_x")
    group_c, commune_y = scene.refs["group_c"], scene.world.commune_y.code
    for path in (
        f"members/?group={group_c}",
        f"members/?commune={commune_y}",
        f"groups/?commune={commune_y}",
        f"sessions/?group={group_c}",
        f"attendance/marks/?session={scene.refs['session_c']}",
        f"attendance/marks/?member={scene.world.resident_c.pk}",
        f"certificates/?commune={commune_y}",
    ):
        response = client.get(f"/api/v1/{path}")
        assert response.status_code == 200 and response.json()["results"] == [], path


def test_a_residents_view_of_a_session_shows_no_one_elses_attendance(scene, db):
    """Residents see themselves, not the other members: not in members/, not in attendance/marks/,
    and so not through a session's attendance either."""
    response = scene.client("resident").get(f"/api/v1/sessions/{scene.refs['session_a']}/attendance/")
    if response.status_code == 200:
        others = {row["member"] for row in response.json()} - {scene.world.resident_a.pk}
        assert others == set(), f"resident_a sees the attendance of members {sorted(others)}"
    assert response.status_code == 403, response.content[:300]
