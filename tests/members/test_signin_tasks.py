"""Signing in queues no background work: Django writes ``last_login`` on every sign-in, and a saved
person must not ask Wagtail to index their references (people are not indexed, see
members/personal_data/registry.py), or every sign-in leaves a task in the workers' queue."""

import pytest
from django.test import Client
from django_tasks.signals import task_enqueued
from wagtail.models import ReferenceIndex

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+84912345678"


@pytest.fixture
def enqueued():
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append(task_result.task.module_path)

    task_enqueued.connect(record, dispatch_uid="test_signin_tasks")
    yield seen
    task_enqueued.disconnect(dispatch_uid="test_signin_tasks")


def test_three_sign_ins_enqueue_no_task(enqueued):
    person = UserFactory(phone=PHONE)
    enqueued.clear()
    for _ in range(3):
        client = Client()
        response = client.post("/dang-nhap/", {"username": PHONE, "password": PASSWORD})
        assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_login is not None
    assert enqueued == []


def test_people_are_not_in_the_reference_index():
    from members.models import User

    assert not ReferenceIndex.model_is_indexable(User)
