"""Query budgets for every list: the queries a request makes do not grow with the rows it returns.

Paginated lists are read at page_size=5 and page_size=50 with more than 50 rows in scope; lists that
come whole (communes, roster, a group's invitations, a session's attendance, courses, a course's
lessons) are read small and large (a group of 2 members and one of 64, 1 invitation and 61, a
session with 1 mark and one with 60, a leaders' audience of 3 courses and all 63, a course of 1
lesson and one of 3). Each request may make at most 5 queries besides authentication (knox's token
lookup and its look at the user's other tokens; the warm-up request absorbs the token's one
auto-refresh). BUDGETS below also pins the exact number with authentication, and which queries they
are.
"""

import uuid
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from attendance.models import AttendanceMark, Session
from certificates.models import Certificate
from learning.models import Enrolment
from members import services
from members.models import Membership
from tests import factories
from tests.conftest import built_once
from tests.factories import CommunityGroupFactory, MembershipFactory, UserFactory, VillageFactory

ROWS = 60
MAX_QUERIES = 5  # besides authentication

# Authentication is the same two queries everywhere: the token (with its user), and the user's other
# tokens (knox deletes the expired ones). A staff caller's scope is two more: their staff roles
# (members.StaffScope) and their active memberships (groups they lead or belong to).
AUTH = "token+user, other tokens"
SCOPE = "staff scopes, memberships"
RESTRICTIONS = "view restrictions"

# list → (small request, large request, exact queries with authentication: which they are)
BUDGETS = {
    "communes": ("communes/?page_size=5", "communes/?page_size=50", 3, f"{AUTH}, communes"),
    "villages": ("villages/?page_size=5", "villages/?page_size=50", 3, f"{AUTH}, villages+communes"),
    "competency-frameworks": (
        "competency-frameworks/?page_size=5",
        "competency-frameworks/?page_size=50",
        5,
        f"{AUTH}, frameworks, their areas, the areas' competencies",
    ),
    "competency-profiles": (
        "competency-profiles/?page_size=5",
        "competency-profiles/?page_size=50",
        4,
        f"{AUTH}, profiles, their requirements+competencies",
    ),
    "groups": ("groups/?page_size=5", "groups/?page_size=50", 5, f"{AUTH}, {SCOPE}, groups+member counts"),
    # Over 5 with authentication: the group is looked up (in scope) before its roster is read.
    "roster": (
        "groups/{group_small}/memberships/",
        "groups/{group_a}/memberships/",
        6,
        f"{AUTH}, {SCOPE}, the group, its memberships+people+villages+communes",
    ),
    # Over 5 with authentication, like the roster: the group is looked up (in scope) first.
    "invitations": (
        "groups/{group_small}/invitations/",
        "groups/{group_a}/invitations/",
        6,
        f"{AUTH}, {SCOPE}, the group, its invitations+inviters",
    ),
    "members": ("members/?page_size=5", "members/?page_size=50", 5, f"{AUTH}, {SCOPE}, people+villages"),
    "sessions": ("sessions/?page_size=5", "sessions/?page_size=50", 5, f"{AUTH}, {SCOPE}, sessions+groups"),
    # Over 5 with authentication: the session is looked up (in scope) before its marks are read.
    "attendance": (
        "sessions/{session_small}/attendance/",
        "sessions/{session_large}/attendance/",
        6,
        f"{AUTH}, {SCOPE}, the session, its marks",
    ),
    "marks": (
        "attendance/marks/?page_size=5",
        "attendance/marks/?page_size=50",
        5,
        f"{AUTH}, {SCOPE}, marks+sessions",
    ),
    # Page privacy (courses.visibility) reads the site's few view restrictions afresh for each
    # request, never from a cache: one query more than before issue 14 for courses and enrolments.
    "courses": (
        "courses/?audience=leader",
        "courses/",
        5,
        f"{AUTH}, {RESTRICTIONS}, visible courses+locales+lesson counts, their target competencies",
    ),
    # The course comes from the list's queryset, so its competencies are prefetched for nothing.
    "lessons": (
        "courses/{course_small}/lessons/",
        "courses/{course_large}/lessons/",
        6,
        f"{AUTH}, {RESTRICTIONS}, the course, its target competencies, its visible lessons",
    ),
    "enrolments": (
        "enrolments/?page_size=5",
        "enrolments/?page_size=50",
        4,
        f"{AUTH}, {RESTRICTIONS}, enrolments+courses",
    ),
    "certificates": (
        "certificates/?page_size=5",
        "certificates/?page_size=50",
        5,
        f"{AUTH}, {SCOPE}, certificates",
    ),
}
# A leader sees the two groups they lead and their own certificates (none): too few to page through.
FEW_IN_SCOPE = {("leader_a", "groups"), ("leader_a", "certificates")}
# Reference data that comes whole, not paginated: the page size asked is ignored.
FIXED = {"communes", "competency-frameworks", "competency-profiles"}
PERSONAS = ("officer_x", "leader_a", "trainer")  # a commune's, a group's, the province's


@dataclass
class Scene:
    world: factories.World
    tokens: dict[str, str]
    refs: dict[str, object]


def build_scene() -> Scene:
    """More than 50 rows of everything in officer_x's commune (and so in the province)."""
    world = factories.build_world()
    x, group_a = world.commune_x, world.group_a
    people = [UserFactory(village=group_a.village) for _ in range(ROWS)]
    for person in people:
        MembershipFactory(user=person, group=group_a)
    for village in VillageFactory.create_batch(ROWS, commune=x):
        CommunityGroupFactory(village=village, commune=x)
    group_small = CommunityGroupFactory(village=group_a.village, commune=x)  # leader_a leads it too
    MembershipFactory(user=world.leader_a, group=group_small, role=Membership.Role.LEADER)
    MembershipFactory(user=people[0], group=group_small)
    for person in [*UserFactory.create_batch(ROWS), world.resident_c]:
        services.invitation_invite(group=group_a, person=person, acting_user=world.leader_a)
    services.invitation_invite(group=group_small, person=world.resident_c, acting_user=world.officer_x)
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(uuid=uuid.uuid4(), group=group_a, starts_at=now, topic=f"Buổi {i}", created_by=world.leader_a)
        for i in range(ROWS)
    )
    large, small = sessions[0], sessions[1]
    AttendanceMark.objects.bulk_create(
        AttendanceMark(
            uuid=uuid.uuid4(),
            session=session,
            member=person,
            status="present",
            recorded_at=now,
            recorded_by=None,
        )
        for session, person in [(large, p) for p in people] + [(small, people[0])]
    )
    courses = [factories.course(lessons=1, questions=0, competencies=(("2.6", 1),)) for _ in range(ROWS)]
    courses += [factories.course(lessons=3, questions=0, audience="leader") for _ in range(3)]
    Enrolment.objects.bulk_create(
        Enrolment(user=user, course=course)
        for user in (world.officer_x, world.leader_a, world.trainer)
        for course in courses
    )
    Certificate.objects.bulk_create(
        Certificate(
            serial=f"CB-2026-{900000 + i:06d}",
            holder=person,
            holder_name=person.full_name.upper(),
            course=courses[0],
            achievement_code=courses[0].code,
            achievement_title=courses[0].title,
            issuer_name="Sở Khoa học và Công nghệ tỉnh Cao Bằng",
            key_id="test2026",
            payload=b"-",
        )
        for i, person in enumerate(people)
    )
    tokens = {name: AuthToken.objects.create(user=getattr(world, name))[1] for name in PERSONAS}
    refs = {
        "group_a": group_a.code,
        "group_small": group_small.code,
        "session_large": large.uuid,
        "session_small": small.uuid,
        "course_large": courses[-1].pk,
        "course_small": courses[0].pk,
    }
    return Scene(world, tokens, refs)


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, build_scene)


def _measure(client, url) -> tuple[int, int, int]:
    """(queries, queries besides authentication, rows returned)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    besides_auth = [q for q in captured.captured_queries if "knox_authtoken" not in q["sql"]]
    return len(captured), len(besides_auth), len(rows)


@pytest.mark.parametrize(
    ("name", "persona"),
    [(name, persona) for name in BUDGETS for persona in PERSONAS],
    ids=[f"{name}-{persona}" for name in BUDGETS for persona in PERSONAS],
)
def test_list_budget(scene, db, name, persona):
    small, large, total, _which = BUDGETS[name]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {scene.tokens[persona]}")
    client.get("/api/v1/me/")  # warm-up: the token's auto-refresh happens here, if at all
    (queries, besides_auth, rows), (queries_large, besides_auth_large, rows_large) = (
        _measure(client, "/api/v1/" + url.format(**scene.refs)) for url in (small, large)
    )
    assert (queries, besides_auth) == (queries_large, besides_auth_large), f"{rows} rows, then {rows_large}"
    assert besides_auth <= MAX_QUERIES
    assert queries == total
    if name in FIXED:
        assert rows == rows_large, "reference data comes whole, whatever the page size asked"
    elif "page_size" not in small:
        assert rows < rows_large, "the large request must return more rows than the small one"
    elif (persona, name) not in FEW_IN_SCOPE:
        assert (rows, rows_large) == (5, 50), "fewer rows in scope than the test needs"
