"""Create the Django groups that give provincial trainers and commune officers the Wagtail admin.

What each group may *do* lives here; *where* (which commune) is decided by StaffScope and
members.permissions. Later apps add their own permissions to these groups in their migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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


def ensure_permissions(apps):
    # Permissions are normally created after all migrations ran; create them now so that the
    # groups below can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_groups(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(pairs):
        return [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in pairs
        ]

    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    trainers.permissions.add(*perms(COMMON + TRAINERS_ONLY))
    officers, _ = Group.objects.get_or_create(name=OFFICERS)
    officers.permissions.add(*perms(COMMON))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_load_communes"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
