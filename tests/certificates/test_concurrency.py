"""Exactly one certificate per holder and achievement, however many completions race (PostgreSQL)."""

import uuid

import pytest

from certificates import services
from certificates.models import Certificate, SerialCounter
from learning import services as learning_services
from learning.models import CompetencyAward, Enrolment
from tests import factories
from tests.concurrency import run_together
from tests.factories import UserFactory, correct_answers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_twenty_concurrent_completions_make_one_certificate(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory()
    course = factories.course(lessons=2, competencies=(("2.6", 2),))
    first, last = course.lessons()
    learning_services.quiz_submit(
        user=user, lesson=first, answers=correct_answers(first), submission_id=uuid.uuid4()
    )

    results, errors = run_together(
        20,
        lambda _: learning_services.quiz_submit(
            user=user, lesson=last, answers=correct_answers(last), submission_id=uuid.uuid4()
        ),
    )
    assert errors == [] and len(results) == 20
    assert sum(1 for outcome in results if outcome.course_completed) == 1
    assert Certificate.objects.filter(holder=user).count() == 1
    assert Enrolment.objects.get(user=user).completed_at is not None
    assert CompetencyAward.objects.filter(user=user).count() == 1


def test_twenty_concurrent_issuances_make_one_certificate_and_distinct_serials(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    course = factories.course(lessons=1, questions=0)
    people = [UserFactory() for _ in range(5)]
    for person in people:
        learning_services.lesson_mark_done(user=person, lesson=course.lessons().get())
    Certificate.objects.all().delete()
    SerialCounter.objects.all().delete()

    results, errors = run_together(20, lambda _: services.certificate_issue(holder=people[0], course=course))
    assert errors == [] and len({c.pk for c in results}) == 1
    assert Certificate.objects.filter(holder=people[0]).count() == 1

    results, errors = run_together(
        4, lambda _: [services.certificate_issue(holder=p, course=course) for p in people[1:]]
    )
    serials = list(Certificate.objects.values_list("serial", flat=True))
    assert errors == [] and len(serials) == len(set(serials)) == 5
    # Each also got its own bit in the revocation status list.
    indexes = list(Certificate.objects.values_list("status_index", flat=True))
    assert None not in indexes and len(set(indexes)) == 5
