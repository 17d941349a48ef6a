"""Provincial trainers issue, revoke and list certificates; commune officers list those of their commune."""

from django.db import migrations

from lms.migration_support import ensure_permissions, permissions

TRAINERS = "Giảng viên cấp tỉnh"
OFFICERS = "Cán bộ xã"


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    officers, _ = Group.objects.get_or_create(name=OFFICERS)
    trainers.permissions.add(
        *permissions(apps, [("certificates", f"{a}_certificate") for a in ("add", "change", "view")])
    )
    officers.permissions.add(*permissions(apps, [("certificates", "view_certificate")]))


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_certificates_issuer_settings"),
        ("members", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
