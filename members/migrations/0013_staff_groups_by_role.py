"""Staff groups are found by their role, not by their Vietnamese name: the two groups that 0003 made
(by name) are linked to their roles here; from now on their names are labels only."""

import django.db.models.deletion
from django.db import migrations, models


# The names 0003_staff_groups gave them.
NAMES = {"provincial_trainer": "Giảng viên cấp tỉnh", "commune_officer": "Cán bộ xã"}


def link_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    StaffGroup = apps.get_model("members", "StaffGroup")
    for role, name in NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        StaffGroup.objects.get_or_create(role=role, defaults={"group": group})


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('members', '0012_importbatch_plan'),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('commune_officer', 'commune officer'), ('provincial_trainer', 'provincial trainer')], max_length=20, unique=True, verbose_name='role')),
                ('group', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='staff_role', to='auth.group', verbose_name='group')),
            ],
            options={
                'verbose_name': 'staff group',
                'verbose_name_plural': 'staff groups',
            },
        ),
        migrations.RunPython(link_groups, migrations.RunPython.noop),
    ]
