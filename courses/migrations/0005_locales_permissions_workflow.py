"""Content locales, what provincial trainers may do with content, and moderation for courses.

- Locales: Vietnamese (default), English, and Tày, Nùng, H'Mông for translated pages and audio.
- Trainers edit and publish pages under the home page, edit the competency framework and
  profiles, and upload images and documents (video, audio). Commune officers get none of this.
- Every change under the home page goes through "Duyệt nội dung khóa học": a provincial trainer
  approves it before it is published.
"""

from django.db import migrations

from lms.migration_support import ensure_permissions, permissions

TRAINERS = "Giảng viên cấp tỉnh"
LOCALES = ["en", "tyz", "nut", "hmn"]
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
SNIPPETS = ["competencyframework", "competencyarea", "competency", "competencyprofile", "profilerequirement"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in LOCALES:
        Locale.objects.get_or_create(language_code=code)

    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    home = Page.objects.get(depth=2, slug="home")

    for permission in permissions(apps, [("wagtailcore", codename) for codename in PAGE_PERMISSIONS]):
        GroupPagePermission.objects.get_or_create(group=trainers, page=home, permission=permission)
    root_collection = Collection.objects.get(depth=1)
    for permission in permissions(apps, COLLECTION_PERMISSIONS):
        GroupCollectionPermission.objects.get_or_create(
            group=trainers, collection=root_collection, permission=permission
        )
    snippet_pairs = [
        ("courses", f"{action}_{model}") for model in SNIPPETS for action in ("add", "change", "delete", "view")
    ]
    trainers.permissions.add(*permissions(apps, snippet_pairs))

    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task, created = GroupApprovalTask.objects.get_or_create(
        name="Giảng viên cấp tỉnh duyệt", defaults={"content_type": task_type, "active": True}
    )
    if created:
        task.groups.set([trainers])
    workflow, created = Workflow.objects.get_or_create(name="Duyệt nội dung khóa học", defaults={"active": True})
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_load_competency_framework"),
        ("members", "0003_staff_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
