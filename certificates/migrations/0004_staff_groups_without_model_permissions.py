"""Trainers and officers no longer hold Django's model permissions on certificates: which ones they
see (their territory's) and who issues and revokes (the province) is decided by members.permissions,
through the certificates' scoped admin policy (certificates.admin_views)."""

from django.db import migrations

from lms.migration_support import ensure_permissions, permissions

TRAINERS = "Giảng viên cấp tỉnh"
OFFICERS = "Cán bộ xã"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    certificate_permissions = Permission.objects.filter(content_type__app_label="certificates")
    for group in Group.objects.filter(name__in=[TRAINERS, OFFICERS]):
        group.permissions.remove(*certificate_permissions)


def backwards(apps, schema_editor):
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
        ("certificates", "0003_certificate_holder_erased_status"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
