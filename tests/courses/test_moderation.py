"""Moderation with separated duties: whoever makes a change does not approve it, trainers cannot
skip the review, and an administrator's override is an audit event."""

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import Page, TaskState, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses.models import ReviewTask
from members.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world):
    return factories.course(lessons=1)


@pytest.fixture
def second_trainer(world):
    return factories.trainer(full_name="Lương Văn Duyệt")


def course_form(course, title, action):
    return nested_form_data(
        {
            "title": title,
            "slug": course.slug,
            "code": course.code,
            "audience": course.audience,
            "summary": course.summary,
            "intro": rich_text("<p>Giới thiệu</p>"),
            "estimated_minutes": 25,
            "pass_mark": 70,
            "target_competencies": inline_formset([]),
            "sources": streamfield([]),
            action: "on",
        }
    )


def submit(client, user, course, title="Khóa học đã sửa"):
    client.force_login(user)
    response = client.post(f"/admin/pages/{course.pk}/edit/", course_form(course, title, "action-submit"))
    assert response.status_code == 302, response.content[:2000]
    return WorkflowState.objects.get(object_id=str(course.pk), status=WorkflowState.STATUS_IN_PROGRESS)


def approve(client, user, course, state):
    client.force_login(user)
    url = f"/admin/pages/workflow/action/{course.pk}/approve/{state.current_task_state_id}/"
    return client.post(url, {"comment": ""})


def live_title(course) -> str:
    return Page.objects.get(pk=course.pk).specific.live_revision.as_object().title


def test_the_course_workflow_reviews_with_separated_duties(course):
    assert isinstance(course.get_workflow().tasks.get().specific, ReviewTask)


def test_the_submitter_cannot_approve_and_another_trainer_can(client, world, course, second_trainer):
    state = submit(client, world.trainer, course)
    task = state.current_task_state.task.specific
    assert [name for name, *_ in task.get_actions(course, world.trainer)] == []
    assert "approve" in [name for name, *_ in task.get_actions(course, second_trainer)]

    # Not offered in the editor, and refused when asked for anyway.
    editor = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert 'data-workflow-action-name="approve"' not in editor
    # Wagtail answers a refused admin action with a redirect to the dashboard and a message.
    refused = approve(client, world.trainer, course, state)
    assert refused.status_code == 403 or refused["Location"] == "/admin/"
    with pytest.raises(PermissionDenied):
        task.on_action(state.current_task_state, world.trainer, "approve")
    assert live_title(course) != "Khóa học đã sửa"
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    client.force_login(second_trainer)
    editor = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert 'data-workflow-action-name="approve"' in editor
    response = approve(client, second_trainer, course, state)
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.live and live_title(course) == "Khóa học đã sửa"
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert TaskState.objects.get(workflow_state=state).finished_by == second_trainer
    assert not AuditEvent.objects.filter(action__startswith="content.").exists()


def test_a_reviewer_who_edits_under_review_becomes_an_author(client, world, course, second_trainer):
    state = submit(client, world.trainer, course)
    client.force_login(second_trainer)
    client.post(f"/admin/pages/{course.pk}/edit/", course_form(course, "Sửa thêm khi duyệt", "action-save"))
    task = state.current_task_state.task.specific
    fresh = Page.objects.get(pk=course.pk)
    assert [name for name, *_ in task.get_actions(fresh, second_trainer)] == []
    third = factories.trainer()
    assert "approve" in [name for name, *_ in task.get_actions(fresh, third)]


def test_awaiting_review_lists_only_what_others_submitted(client, world, course, second_trainer):
    state = submit(client, world.trainer, course)
    task = state.current_task_state.task.specific
    assert not task.get_task_states_user_can_moderate(world.trainer).exists()
    assert list(task.get_task_states_user_can_moderate(second_trainer)) == [state.current_task_state]


def test_a_trainer_cannot_publish_directly(client, world, course):
    assert not course.permissions_for_user(world.trainer).can_publish()
    client.force_login(world.trainer)
    editor = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert 'name="action-publish"' not in editor and 'name="action-submit"' in editor
    client.post(f"/admin/pages/{course.pk}/edit/", course_form(course, "Đăng thẳng", "action-publish"))
    assert live_title(course) != "Đăng thẳng"
    assert (
        client.post(
            f"/admin/api/main/pages/{course.pk}/action/publish/", "{}", content_type="application/json"
        ).status_code
        == 403
    )


def test_an_administrator_publishing_directly_is_recorded(client, world, course):
    client.force_login(world.admin)
    response = client.post(
        f"/admin/pages/{course.pk}/edit/", course_form(course, "Đăng gấp", "action-publish")
    )
    assert response.status_code == 302
    assert live_title(course) == "Đăng gấp"
    event = AuditEvent.objects.get(action="content.publish_override")
    assert event.actor == world.admin and event.target_id == str(course.pk)
    assert event.changes == {"revision": [None, Page.objects.get(pk=course.pk).latest_revision_id]}


def test_an_administrator_publishing_through_the_admin_api_is_recorded(client, world, course):
    client.force_login(world.admin)
    response = client.post(
        f"/admin/api/main/pages/{course.pk}/action/publish/", "{}", content_type="application/json"
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="content.publish_override", actor=world.admin).exists()


def test_an_administrator_bulk_publishing_is_recorded(client, world, course):
    lesson = course.lessons().get()
    lesson.save_revision(user=world.trainer)
    client.force_login(world.admin)
    url = f"/admin/bulk/wagtailcore/page/publish/?id={lesson.pk}"
    response = client.post(url, {"include_descendants": ""})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="content.publish_override").target_id == str(lesson.pk)


def test_an_administrator_approving_their_own_change_is_recorded(client, world, course, second_trainer):
    state = submit(client, world.admin, course, title="Tự duyệt")
    assert approve(client, world.admin, course, state).status_code == 302
    assert live_title(course) == "Tự duyệt"
    event = AuditEvent.objects.get(action="content.approval_override")
    assert event.actor == world.admin and event.target_id == str(course.pk)

    # Approving someone else's change is no override.
    other = submit(client, world.trainer, course, title="Của người khác")
    assert approve(client, world.admin, course, other).status_code == 302
    assert AuditEvent.objects.filter(action__startswith="content.").count() == 1


def test_a_reviewer_cannot_edit_and_approve_in_one_click(client, world, course, second_trainer):
    state = submit(client, world.trainer, course)
    client.force_login(second_trainer)
    data = course_form(course, "Sửa rồi tự duyệt", "action-workflow-action")
    data["workflow-action-name"] = "approve"
    client.post(f"/admin/pages/{course.pk}/edit/", data)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert live_title(course) != "Sửa rồi tự duyệt"
    # Another trainer reviews the edited change and approves it.
    state.refresh_from_db()
    assert approve(client, factories.trainer(), course, state).status_code == 302
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert live_title(course) == "Sửa rồi tự duyệt"
