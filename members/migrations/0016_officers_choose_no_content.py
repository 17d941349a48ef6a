"""Commune officers choose no pictures or documents (they author no content; the admin's choosers
are for authors). Wagtail's own migrations (wagtailimages 0023, wagtaildocs 0011) give the choose
permission to every group that may enter the admin, so whether officers got it depended on whether
Django happened to run those before or after ``0003_staff_groups`` made the officers' group: on a fresh
database it now does. Take it back, after them, whatever the order was."""

from django.db import migrations

CONTENT_MODELS = [("wagtailimages", "image"), ("wagtaildocs", "document")]


def forwards(apps, schema_editor):
    StaffGroup = apps.get_model("members", "StaffGroup")
    Permission = apps.get_model("auth", "Permission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    link = StaffGroup.objects.filter(role="commune_officer").select_related("group").first()
    if link is None:
        return
    officers = link.group
    for app_label, model in CONTENT_MODELS:
        held = Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        officers.permissions.remove(*held)
        GroupCollectionPermission.objects.filter(group=officers, permission__in=held).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0015_idempotencyrecord_moves_to_api"),
        ("wagtailimages", "0023_add_choose_permissions"),
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
