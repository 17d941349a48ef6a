"""The incremental refresh (shares of the people and sessions that changed) leaves the rollups exactly
as a full recomputation would, and its work follows the change, not the commune's history."""

import datetime
import random
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attendance.models import Session
from attendance.services import MarkInput, SessionInput, attendance_sync
from certificates import services as certificates
from certificates.models import Certificate
from courses.models import Competency
from learning import services as learning
from learning.models import Enrolment
from members import services as members
from members.models import Membership, User
from members.services.privacy import ErasureReason, person_erase
from stats import services as stats
from stats.contributions import ROW_COLUMNS
from stats.models import AttainmentCount, Contribution, Pending
from tests import factories
from tests.factories import MembershipFactory, UserFactory, VillageFactory, commune, correct_answers
from tests.stats.conftest import at, award, mark, session

pytestmark = pytest.mark.django_db


def tables() -> dict[str, list[tuple]]:
    """Every rollup row, by table, as (commune, key…, counts…), in a stable order."""
    return {
        model.__name__: sorted(
            model.objects.values_list("commune_id", *ROW_COLUMNS[model]), key=lambda row: repr(row)
        )
        for model in ROW_COLUMNS
    }


def rebuilt() -> dict[str, list[tuple]]:
    stats.refresh_all()
    return tables()


class Province:
    """The world, a course with two quiz lessons, and villages in three communes to move between."""

    def __init__(self, world, rng: random.Random):
        self.world, self.rng = world, rng
        self.course = factories.course(lessons=2, competencies=(("2.6", 2),))
        third = commune("01654")
        self.villages = [
            world.resident_a.village,
            world.resident_c.village,
            VillageFactory(commune=world.commune_x),
            VillageFactory(commune=third),
        ]
        self.groups = [world.group_a, world.group_b, world.group_c]
        self.competencies = list(Competency.objects.filter(area__framework__is_current=True)[:6])
        self.sessions: list[Session] = []
        self.marks: list[MarkInput] = []

    def people(self) -> list[User]:
        return list(User.objects.filter(is_staff=False, erased_at__isnull=True).order_by("pk"))

    def someone(self) -> User:
        return self.rng.choice(self.people())

    # Each step changes facts through the services, which note what they changed.

    def attest(self):
        learning.competency_attest(
            user=self.someone(),
            competency=self.rng.choice(self.competencies),
            level=self.rng.randint(1, 8),
            acting_user=self.world.trainer,
        )

    def learn(self):
        person = self.someone()
        lesson = self.rng.choice(self.course.lessons())
        learning.enrol(user=person, course=self.course)
        learning.quiz_submit(
            user=person, lesson=lesson, answers=correct_answers(lesson), submission_id=factories.uuid4()
        )

    def enrol(self):
        learning.enrol(user=self.someone(), course=self.course)

    def revoke(self):
        certificate = (
            Certificate.objects.counted().filter(holder__erased_at__isnull=True).order_by("?").first()
        )
        if certificate is not None:
            certificates.certificate_revoke(
                certificate=certificate, reason="Tested", acting_user=self.world.admin
            )

    def join(self):
        person, group = self.someone(), self.rng.choice(self.groups)
        if not Membership.objects.active().filter(user=person, group=group).exists():
            members.membership_add(group=group, user=person, acting_user=self.world.admin)

    def leave(self):
        membership = Membership.objects.active().filter(user__is_staff=False).order_by("?").first()
        if membership is not None:
            members.membership_end(membership=membership, acting_user=self.world.admin)

    def move(self):
        members.user_set_village(
            user=self.someone(), village=self.rng.choice(self.villages), acting_user=self.world.admin
        )

    def arrive(self):
        members.user_create(
            phone=f"+8491{self.rng.randrange(10**7):07d}",
            full_name="Người Mới",
            password=None,
            consent=True,
            village=self.rng.choice(self.villages),
        )

    def erase(self):
        person = self.someone()
        person_erase(person=person, acting_user=person, reason=ErasureReason.CONSENT_WITHDRAWN)

    def meet(self):
        group = self.rng.choice(self.groups)
        ahead = self.rng.choice([-2, -1, 3])  # held two days or a day ago, or planned in three days
        starts_at = timezone.now() + datetime.timedelta(days=ahead)
        item = SessionInput(uuid=uuid.uuid4(), group_code=group.code, starts_at=starts_at, topic="VNeID")
        roster = list(Membership.objects.active().filter(group=group).values_list("user_id", flat=True))
        marks = [
            MarkInput(
                uuid=uuid.uuid4(),
                session_uuid=item.uuid,
                member_id=member_id,
                status=self.rng.choice(["present", "late", "absent", "excused"]),
                recorded_at=starts_at,
            )
            for member_id in self.rng.sample(roster, min(len(roster), 3))
        ]
        attendance_sync(user=self.world.admin, sessions=[item], marks=marks)
        self.marks.extend(marks)

    def correct(self):
        """A later mark for someone already marked: the latest counts."""
        if self.marks:
            first = self.rng.choice(self.marks)
            again = MarkInput(
                uuid=uuid.uuid4(),
                session_uuid=first.session_uuid,
                member_id=first.member_id,
                status=self.rng.choice(["present", "absent"]),
                recorded_at=first.recorded_at + datetime.timedelta(minutes=5),
            )
            attendance_sync(user=self.world.admin, sessions=[], marks=[again])


STEPS = ("attest", "learn", "enrol", "revoke", "join", "leave", "move", "arrive", "erase", "meet", "correct")


@pytest.mark.parametrize("seed", range(4))
def test_after_any_changes_the_incremental_rollups_equal_a_full_recomputation(
    world, seed, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.STATS_REFRESH = "on_view"
    settings.TASKS = {  # certificates' PDFs are not rendered: they count without
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }
    rng = random.Random(seed)
    province = Province(world, rng)
    stats.refresh_all()
    done = []
    for step in range(24):
        name = rng.choice(STEPS)
        with django_capture_on_commit_callbacks(execute=True):
            getattr(province, name)()
        done.append(name)
        if rng.random() < 0.3:
            stats.refresh_changed()
        if step == 16:
            # Four days later: the sessions planned ahead have opened.
            moment = timezone.now() + datetime.timedelta(days=4)
            monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
    stats.refresh_changed()
    assert not Pending.objects.exists()
    incremental = tables()
    assert sum(len(rows) for rows in incremental.values()) > 10, done
    full = rebuilt()
    for table, rows in full.items():
        assert incremental[table] == rows, (table, done)


# The work follows the change ------------------------------------------------------------------------


def history(world, people: int) -> None:
    """``people`` more residents of commune X in group A, each with awards, a course begun, and a
    mark at one of the group's sessions."""
    course = factories.course(lessons=1, competencies=(("2.6", 2),))
    meeting = session(world.group_a, at(3))
    for _ in range(people):
        person = UserFactory(village=world.group_a.village)
        MembershipFactory(user=person, group=world.group_a)
        award(person, "1.1", 3, at(2))
        award(person, "2.6", 2, at(4))
        Enrolment.objects.create(user=person, course=course, enrolled_at=at(5))
        mark(meeting, person, "present", at(3))


def one_change(world, held, capture, *, code: str, status: str, minute: int) -> tuple[int, int]:
    """A changed person (an award in competency ``code``) and a changed session (a mark at ``held``
    with ``status``, ``minute`` minutes after it starts: the latest counts): the queries of the
    refresh that counts them, and the rows those return."""
    with capture(execute=True):
        learning.competency_attest(
            user=world.resident_a,
            competency=Competency.objects.get(code=code, area__framework__is_current=True),
            level=2,
            acting_user=world.trainer,
        )
        attendance_sync(
            user=world.admin,
            sessions=[],
            marks=[
                MarkInput(
                    uuid=uuid.uuid4(),
                    session_uuid=held.uuid,
                    member_id=world.resident_a2.pk,
                    status=status,
                    recorded_at=held.starts_at + datetime.timedelta(minutes=minute),
                )
            ],
        )
    fetched = 0

    def count_rows(execute, sql, params, many, context):
        nonlocal fetched
        result = execute(sql, params, many, context)
        cursor = context["cursor"]
        if sql.lstrip().upper().startswith("SELECT") and cursor.description:
            # Rows are counted as they are read: peek without consuming.
            rows = cursor.fetchall()
            fetched += len(rows)
            cursor.fetchall = lambda rows=rows: rows
            cursor.fetchmany = _fetchmany(rows)
            cursor.fetchone = _fetchone(rows)
        return result

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(count_rows):
        report = stats.refresh_changed()
    assert report.subjects == 2
    return len(queries), fetched


def _fetchmany(rows):
    position = [0]

    def fetchmany(size=None):
        size = size or 100
        chunk = rows[position[0] : position[0] + size]
        position[0] += len(chunk)
        return chunk

    return fetchmany


def _fetchone(rows):
    iterator = iter(rows)
    return lambda: next(iterator, None)


def test_a_refresh_after_one_change_reads_the_same_whatever_the_history(
    world, django_capture_on_commit_callbacks
):
    held = session(world.group_a, timezone.now() - datetime.timedelta(days=2))
    stats.refresh_all()
    # A first change makes the rows a change of the same shape finds from then on (area 3, the mark).
    one_change(world, held, django_capture_on_commit_callbacks, code="3.1", status="absent", minute=1)
    small = one_change(
        world, held, django_capture_on_commit_callbacks, code="3.2", status="present", minute=2
    )

    history(world, people=120)
    stats.refresh_all()
    assert Contribution.objects.filter(commune=world.commune_x).count() > 120
    large = one_change(world, held, django_capture_on_commit_callbacks, code="3.3", status="absent", minute=3)
    # Same statements, and the rows they return do not grow with 120 more people's facts.
    assert large[0] == small[0]
    assert large[1] - small[1] < 20, (small, large)


def test_rows_changed_behind_the_shares_back_get_their_commune_recomputed_whole(
    world, django_capture_on_commit_callbacks
):
    award(world.resident_a, "1.1", 3, at(2))
    stats.refresh_all()
    AttainmentCount.objects.filter(commune=world.commune_x).delete()  # a fix made in the database
    with django_capture_on_commit_callbacks(execute=True):
        members.membership_end(membership=world.resident_a.memberships.get(), acting_user=world.admin)
    stats.refresh_changed()  # subtracting resident_a from group A's rows finds none
    assert Pending.objects.filter(kind="commune", subject_id=world.commune_x.pk).exists()
    stats.refresh_changed()
    assert AttainmentCount.objects.filter(commune=world.commune_x).exists()
    assert tables() == rebuilt()


def test_a_person_counted_by_a_whole_refresh_who_moves_out_meanwhile_is_not_counted_twice(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """A commune's whole refresh reads its facts; before it writes, the person moves to another
    commune and an incremental refresh counts the move. The whole refresh's rows still count them:
    the commune is recomputed once more, and the numbers end as a full recomputation's."""
    award(world.resident_a, "1.1", 3, at(2))
    stats.refresh_all()
    read = stats._Facts.read

    def read_then_move(commune_id, now):
        facts = read(commune_id, now)
        with django_capture_on_commit_callbacks(execute=True):
            members.user_set_village(user=world.resident_a, village=world.resident_c.village)
            members.membership_end(membership=world.resident_a.memberships.get(), acting_user=world.admin)
        stats.refresh_pending()
        return facts

    monkeypatch.setattr(stats._Facts, "read", staticmethod(read_then_move))
    stats.refresh_communes([world.commune_x.pk])
    monkeypatch.setattr(stats._Facts, "read", staticmethod(read))
    stats.refresh_changed()
    assert tables() == rebuilt()
