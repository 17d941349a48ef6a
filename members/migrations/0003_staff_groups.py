"""Create the Django groups that give provincial trainers and commune officers the Wagtail admin.

What each group may *do* lives here; *where* (which commune) is decided by StaffScope and
members.permissions. Later apps add their own permissions to these groups in their migrations.
"""

from django.db import migrations

from lms.migration_support import ensure_permissions, permissions

TRAINERS = "Giảng viên cấp tỉnh"
OFFICERS = "Cán bộ xã"

COMMON = [
    ("wagtailadmin", "access_admin"),
    ("members", "view_commune"),
    ("members", "view_village"),
    ("members", "view_communitygroup"),
    ("members", "add_communitygroup"),
    ("members", "change_communitygroup"),
    ("members", "view_membership"),
    ("members", "add_membership"),
    ("members", "change_membership"),
    ("members", "view_user"),
]
TRAINERS_ONLY = [("members", "view_staffscope"), ("members", "view_auditevent")]


def create_groups(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    trainers.permissions.add(*permissions(apps, COMMON + TRAINERS_ONLY))
    officers, _ = Group.objects.get_or_create(name=OFFICERS)
    officers.permissions.add(*permissions(apps, COMMON))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_load_communes"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
