"""The rollups: what a refresh counts, where and in which month, and how changes get noticed."""

import datetime

import pytest
from django.db.models import Sum

from certificates import services as certificate_services
from courses.models import CompetencyProfile
from learning import services as learning_services
from learning.models import Enrolment, LessonProgress
from members import extensions, services
from members.models import User
from stats import services as stats
from stats.models import (
    ActivityCount,
    AttainmentCount,
    CommuneFreshness,
    FunnelCount,
    ProfileCount,
    ResidentCount,
)
from stats.selectors import StatsQuery
from tests import factories
from tests.factories import MembershipFactory, UserFactory, VillageFactory, correct_answers
from tests.stats.conftest import at, award, mark, session

pytestmark = pytest.mark.django_db


def attained(commune, *, group=None, code=None, tier="basic", month=None, area=None) -> int:
    rows = AttainmentCount.objects.filter(commune=commune, group=group, tier=tier)
    rows = rows.filter(competency__code=code) if code is not None else rows.filter(competency__isnull=True)
    if area is not None:
        rows = rows.filter(area__number=area)
    if month is not None:
        rows = rows.filter(month=month)
    return rows.aggregate(n=Sum("people"))["n"] or 0


def refresh(*communes):
    return stats.refresh_communes([c.pk for c in communes])


def test_each_tier_is_counted_in_the_month_it_was_first_reached(world):
    award(world.resident_a, "2.6", 2, at(1))
    award(world.resident_a, "2.6", 4, at(3))
    award(world.resident_a, "2.6", 3, at(5))  # a later, lower award changes nothing
    refresh(world.commune_x)
    jan, mar = datetime.date(2026, 1, 1), datetime.date(2026, 3, 1)
    for group in (None, world.group_a):
        assert attained(world.commune_x, group=group, code="2.6", tier="basic", month=jan) == 1
        assert attained(world.commune_x, group=group, code="2.6", tier="intermediate", month=mar) == 1
        assert attained(world.commune_x, group=group, area=2, tier="basic", month=jan) == 1
        assert attained(world.commune_x, group=group, code="2.6", tier="advanced") == 0
    assert attained(world.commune_x, group=world.group_b, code="2.6") == 0
    assert AttainmentCount.objects.filter(month__in=[datetime.date(2026, 5, 1)]).count() == 0


def test_an_area_counts_a_person_once_at_their_first_competency_in_it(world):
    award(world.resident_a, "2.6", 1, at(2))
    award(world.resident_a, "2.3", 1, at(1))
    refresh(world.commune_x)
    assert attained(world.commune_x, area=2) == 1
    assert attained(world.commune_x, area=2, month=datetime.date(2026, 1, 1)) == 1


def test_a_member_who_lives_elsewhere_counts_in_the_group_and_in_their_own_commune(world):
    outsider = UserFactory(village=VillageFactory(commune=world.commune_y))
    MembershipFactory(user=outsider, group=world.group_a)
    award(outsider, "4.2", 2, at(4))
    refresh(world.commune_x, world.commune_y)
    assert attained(world.commune_x, group=world.group_a, code="4.2") == 1
    assert attained(world.commune_x, code="4.2") == 0
    assert attained(world.commune_y, code="4.2") == 1


def test_a_profile_is_complete_in_the_month_of_its_last_requirement(world):
    basic = CompetencyProfile.objects.get(code="pho-cap-co-ban")
    needs = list(basic.requirements.values_list("competency__code", "level"))
    for code, level in needs[:-1]:
        award(world.resident_a, code, level, at(1))
    refresh(world.commune_x)
    assert not ProfileCount.objects.exists()
    code, level = needs[-1]
    award(world.resident_a, code, level, at(4))
    refresh(world.commune_x)
    rows = ProfileCount.objects.filter(profile=basic)
    assert {(r.group_id, r.month, r.people) for r in rows} == {
        (None, datetime.date(2026, 4, 1), 1),
        (world.group_a.pk, datetime.date(2026, 4, 1), 1),
    }


def test_residents_are_counted_in_the_month_they_registered(world):
    refresh(world.commune_x)
    people = ResidentCount.objects.filter(commune=world.commune_x, group__isnull=True).aggregate(
        n=Sum("people")
    )["n"]
    living = User.objects.filter(village__commune=world.commune_x, is_active=True).count()
    assert people == living
    members_a = ResidentCount.objects.filter(group=world.group_a).aggregate(n=Sum("people"))["n"]
    assert members_a == world.group_a.memberships.active().count()


@pytest.fixture
def course():
    return factories.course(lessons=2, competencies=(("2.6", 2),))


def _learn(person, course, *, lessons: int, enrolled: datetime.datetime):
    for lesson in list(course.lessons())[:lessons]:
        learning_services.quiz_submit(
            user=person, lesson=lesson, answers=correct_answers(lesson), submission_id=factories.uuid4()
        )
    if not lessons:
        learning_services.enrol(user=person, course=course)
    Enrolment.objects.filter(user=person, course=course).update(enrolled_at=enrolled)


def test_the_funnel_follows_each_months_enrolments(world, course, django_capture_on_commit_callbacks):
    starter, finisher, revoked = UserFactory(), UserFactory(), UserFactory()
    for person in (starter, finisher, revoked):
        person.village = world.resident_a.village
        person.save(update_fields=["village"])
    _learn(world.resident_a, course, lessons=0, enrolled=at(1))
    _learn(starter, course, lessons=1, enrolled=at(1))
    _learn(finisher, course, lessons=2, enrolled=at(1))
    _learn(revoked, course, lessons=2, enrolled=at(2))
    certificate = revoked.certificates.get()
    certificate_services.certificate_revoke(
        certificate=certificate, reason="Nhầm người", acting_user=world.trainer
    )
    refresh(world.commune_x)
    rows = {
        r.month: (r.enrolled, r.started, r.completed, r.certified)
        for r in FunnelCount.objects.filter(commune=world.commune_x, group__isnull=True)
    }
    assert rows == {datetime.date(2026, 1, 1): (3, 2, 1, 1), datetime.date(2026, 2, 1): (1, 1, 1, 0)}
    group_rows = FunnelCount.objects.filter(group=world.group_a)
    assert [(r.month, r.enrolled, r.started) for r in group_rows] == [(datetime.date(2026, 1, 1), 1, 0)]


def test_attendance_counts_each_persons_current_status_once(world):
    monday = session(world.group_a, at(3, 2, 19))
    mark(monday, world.resident_a, "absent", at(3, 2, 19))
    mark(monday, world.resident_a, "late", at(3, 2, 20))  # the correction, recorded later, wins
    mark(monday, world.resident_a2, "present", at(3, 2, 19))
    mark(monday, world.deputy_a, "excused", at(3, 2, 19))
    session(world.group_a, at(3, 20, 19))
    session(world.group_a, at(4, 5, 19))
    refresh(world.commune_x)
    march = ActivityCount.objects.get(group=world.group_a, month=datetime.date(2026, 3, 1))
    assert (march.sessions, march.marked, march.attended) == (2, 3, 2)
    assert ActivityCount.objects.get(group=world.group_a, month=datetime.date(2026, 4, 1)).sessions == 1
    assert not ActivityCount.objects.filter(group=world.group_b).exists()


def test_a_refresh_replaces_a_communes_rows_and_touches_no_other(world):
    award(world.resident_a, "2.6", 2, at(1))
    award(world.resident_c, "2.6", 2, at(1))
    refresh(world.commune_x, world.commune_y)
    counts = {model: model.objects.count() for model in (AttainmentCount, ResidentCount, ActivityCount)}
    refresh(world.commune_x)
    assert {model: model.objects.count() for model in counts} == counts
    award(world.resident_a2, "2.6", 2, at(1))
    refresh(world.commune_x)
    assert attained(world.commune_x, code="2.6") == 2
    assert attained(world.commune_y, code="2.6") == 1


# Noticing changes ------------------------------------------------------------------------------------


def freshness(commune) -> CommuneFreshness:
    return CommuneFreshness.objects.get(commune=commune)


def test_a_change_is_noted_after_commit_for_the_communes_it_touches(
    world, django_capture_on_commit_callbacks
):
    refresh(world.commune_x, world.commune_y)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.membership_end(membership=world.resident_a.memberships.get(), acting_user=world.leader_a)
    assert freshness(world.commune_x).changed_at is None  # nothing before the commit
    for callback in callbacks:
        callback()
    assert freshness(world.commune_x).changed_at is not None
    assert freshness(world.commune_y).changed_at is None
    assert stats.changed_commune_ids([world.commune_x.pk, world.commune_y.pk]) == [world.commune_x.pk]


def test_learning_notes_the_communes_where_the_learner_counts(
    world, course, django_capture_on_commit_callbacks
):
    outsider = UserFactory(village=VillageFactory(commune=world.commune_y))
    MembershipFactory(user=outsider, group=world.group_a)
    refresh(world.commune_x, world.commune_y)
    with django_capture_on_commit_callbacks(execute=True):
        learning_services.enrol(user=outsider, course=course)
    assert freshness(world.commune_x).changed_at is not None
    assert freshness(world.commune_y).changed_at is not None


def test_refresh_changed_recomputes_only_what_changed(world, django_capture_on_commit_callbacks):
    refresh(world.commune_x, world.commune_y)
    x_before, y_before = freshness(world.commune_x).refreshed_at, freshness(world.commune_y).refreshed_at
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_add(group=world.group_c, user=world.loner, acting_user=world.officer_y)
    report = stats.refresh_changed([world.commune_x.pk, world.commune_y.pk])
    assert report.communes == 1
    assert freshness(world.commune_x).refreshed_at == x_before
    assert freshness(world.commune_y).refreshed_at > y_before
    assert freshness(world.commune_y).changed_at is None


def test_a_change_noted_during_a_refresh_is_kept_for_the_next(world, monkeypatch):
    """The refresh clears the note before it reads: a change noted meanwhile stays noted."""
    refresh(world.commune_x)
    read = stats._Facts.read

    def read_then_change(commune_id, now):
        facts = read(commune_id, now)
        stats._note_changes([commune_id])
        return facts

    monkeypatch.setattr(stats._Facts, "read", staticmethod(read_then_change))
    refresh(world.commune_x)
    assert freshness(world.commune_x).changed_at is not None


def test_with_a_worker_a_change_enqueues_one_refresh(world, settings, django_capture_on_commit_callbacks):
    settings.STATS_REFRESH = "task"  # the immediate backend runs the task at once, as a worker would
    refresh(world.commune_x)
    with django_capture_on_commit_callbacks(execute=True):
        award(world.resident_a, "2.6", 2, at(1))
        extensions.people_changed([world.resident_a.pk])  # as learning's services say of an award
        services.membership_add(group=world.group_a, user=world.loner, acting_user=world.leader_a)
    assert freshness(world.commune_x).changed_at is None
    assert attained(world.commune_x, code="2.6") == 1
    assert ResidentCount.objects.filter(group=world.group_a).aggregate(n=Sum("people"))["n"] == 5


# Reading fresh numbers --------------------------------------------------------------------------------


def test_without_a_worker_reading_recomputes_the_changed_communes_it_reads_and_no_other(world, settings):
    settings.STATS_REFRESH = "on_view"
    refresh(world.commune_x, world.commune_y)
    award(world.resident_a, "2.6", 2, at(1))
    award(world.resident_c, "2.6", 2, at(1))
    stats._note_changes([world.commune_x.pk, world.commune_y.pk])
    fresh = stats.refresh_if_stale(query=StatsQuery(commune_ids=None, commune=world.commune_x))
    assert not fresh.changed_since and not fresh.missing and fresh.computed_at is not None
    assert attained(world.commune_x, code="2.6") == 1 and freshness(world.commune_x).changed_at is None
    assert attained(world.commune_y, code="2.6") == 0 and freshness(world.commune_y).changed_at is not None
    fresh = stats.refresh_if_stale(query=StatsQuery(commune_ids=frozenset({world.commune_y.pk})))
    assert not fresh.changed_since and attained(world.commune_y, code="2.6") == 1


def test_without_a_worker_reading_computes_communes_never_computed(world, settings):
    settings.STATS_REFRESH = "on_view"
    award(world.resident_c, "2.6", 2, at(1))
    fresh = stats.refresh_if_stale(query=StatsQuery(commune_ids=frozenset({world.commune_y.pk})))
    assert not fresh.missing and attained(world.commune_y, code="2.6") == 1
    assert not CommuneFreshness.objects.filter(commune=world.commune_x, refreshed_at__isnull=False).exists()


def test_with_a_worker_reading_leaves_the_numbers_as_they_are_and_says_so(world, settings):
    settings.STATS_REFRESH = "task"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }  # no worker yet
    refresh(world.commune_x)
    award(world.resident_a, "2.6", 2, at(1))
    stats._note_changes([world.commune_x.pk])
    fresh = stats.refresh_if_stale(query=StatsQuery(commune_ids=frozenset({world.commune_x.pk})))
    assert fresh.changed_since and fresh.computed_at is not None
    assert attained(world.commune_x, code="2.6") == 0


def test_the_demo_progress_history_is_counted(world, course):
    """Rows written in bulk (as the demo seed does) are counted like rows written by the services."""
    person = UserFactory(village=world.resident_a.village)
    enrolment = Enrolment.objects.create(user=person, course=course, enrolled_at=at(6))
    LessonProgress.objects.create(
        user=person, lesson=course.lessons().first(), enrolment=enrolment, completed_at=at(6, 12)
    )
    refresh(world.commune_x)
    row = FunnelCount.objects.get(commune=world.commune_x, group__isnull=True)
    assert (row.month, row.enrolled, row.started, row.completed) == (datetime.date(2026, 6, 1), 1, 1, 0)
