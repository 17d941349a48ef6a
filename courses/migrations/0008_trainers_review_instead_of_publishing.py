"""Separated duties for content: trainers no longer publish, and nobody approves their own change.

- Provincial trainers lose ``publish_page`` under the home page: with it, Wagtail let them publish
  directly and skip the review. An approved review publishes (courses.workflows.publish_approved).
- The review step "Giảng viên cấp tỉnh duyệt" becomes a ``ReviewTask`` in place (same task, same
  workflow, reviews in progress carry on): Wagtail's group approval let the submitter approve.
"""

from django.db import migrations

TRAINERS = "Giảng viên cấp tỉnh"
TASK = "Giảng viên cấp tỉnh duyệt"


def _convert_task(apps, source, target):
    """Turn the task named TASK from model ``source`` into model ``target`` (both group approval
    tasks sharing Wagtail's Task row), keeping its id, workflows, task states and groups."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Source = apps.get_model(*source)
    Target = apps.get_model(*target)
    task = Source.objects.filter(name=TASK).first()
    if task is None:
        return
    groups = list(task.groups.all())
    task_id, active = task.task_ptr_id, task.active
    task.delete(keep_parents=True)
    content_type, _ = ContentType.objects.get_or_create(app_label=target[0], model=target[1].lower())
    converted = Target.objects.create(task_ptr_id=task_id, name=TASK, active=active, content_type=content_type)
    converted.groups.set(groups)


def forwards(apps, schema_editor):
    _convert_task(apps, ("wagtailcore", "GroupApprovalTask"), ("courses", "ReviewTask"))
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name=TRAINERS, permission__content_type__app_label="wagtailcore", permission__codename="publish_page"
    ).delete()


def backwards(apps, schema_editor):
    _convert_task(apps, ("courses", "ReviewTask"), ("wagtailcore", "GroupApprovalTask"))
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    trainers = Group.objects.filter(name=TRAINERS).first()
    home = Page.objects.filter(depth=2, slug="home").first()
    if trainers is not None and home is not None:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
        GroupPagePermission.objects.get_or_create(group=trainers, page=home, permission=permission)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_review_by_someone_else"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
