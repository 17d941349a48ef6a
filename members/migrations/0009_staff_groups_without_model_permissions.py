"""Provincial trainers and commune officers no longer hold Django's model permissions on people and
places (users, communes, villages, groups, memberships, staff scopes, audit events).

Whom they see is their territory's business, decided by members.permissions through the admin's
scoped permission policies (members.admin_views). A model permission knows no territory: holding
``view_user`` opened Wagtail's own user views, and the site history of every account and group, to
every officer in the province. Administrators (superusers) keep everything.
"""

from django.db import migrations

from lms.migration_support import ensure_permissions

STAFF_GROUPS = ["Giảng viên cấp tỉnh", "Cán bộ xã"]
# What 0003_staff_groups gave, for going back.
GIVEN = {
    "Giảng viên cấp tỉnh": [
        "view_commune",
        "view_village",
        "view_communitygroup",
        "add_communitygroup",
        "change_communitygroup",
        "view_membership",
        "add_membership",
        "change_membership",
        "view_user",
        "view_staffscope",
        "view_auditevent",
    ],
    "Cán bộ xã": [
        "view_commune",
        "view_village",
        "view_communitygroup",
        "add_communitygroup",
        "change_communitygroup",
        "view_membership",
        "add_membership",
        "change_membership",
        "view_user",
    ],
}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    members_permissions = Permission.objects.filter(content_type__app_label="members")
    for group in Group.objects.filter(name__in=STAFF_GROUPS):
        group.permissions.remove(*members_permissions)


def backwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GIVEN.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0008_user_consent_version_and_erasure"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
