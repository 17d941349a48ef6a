"""Trainers may translate pages into another locale (Wagtail's simple translation)."""

from django.db import migrations

from lms.migration_support import ensure_permissions, permissions

TRAINERS = "Giảng viên cấp tỉnh"


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    trainers.permissions.add(*permissions(apps, [("simple_translation", "submit_translation")]))


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_locales_permissions_workflow"),
        ("simple_translation", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
