"""Attendance's models were made in ``members`` (0006); they move here without copying a row: the
state is created here (same tables, same indexes and constraints), and members 0017 forgets them."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models

from lms.migration_support import move_from_members


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('members', '0016_officers_choose_no_content'),
        ('courses', '0009_lesson_text_block_knows_its_api'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='Session',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('uuid', models.UUIDField(default=uuid.uuid4, unique=True, verbose_name='UUID')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('place', models.CharField(blank=True, max_length=150, verbose_name='place')),
                        ('topic', models.CharField(max_length=200, verbose_name='topic')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('course', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='courses.coursepage', verbose_name='course')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='members.communitygroup', verbose_name='group')),
                        ('lesson', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='courses.lessonpage', verbose_name='lesson')),
                    ],
                    options={
                        'verbose_name': 'session',
                        'verbose_name_plural': 'sessions',
                        'db_table': 'members_session',
                        'ordering': ['-starts_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AttendanceMark',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('uuid', models.UUIDField(unique=True, verbose_name='UUID')),
                        ('status', models.CharField(choices=[('present', 'present'), ('late', 'late'), ('excused', 'excused'), ('absent', 'absent')], max_length=10, verbose_name='status')),
                        ('recorded_at', models.DateTimeField(verbose_name='recorded at (on the phone)')),
                        ('received_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='received at')),
                        ('device_id', models.CharField(blank=True, max_length=64, verbose_name='device')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance_marks', to=settings.AUTH_USER_MODEL, verbose_name='member')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='marks', to='attendance.session', verbose_name='session')),
                    ],
                    options={
                        'verbose_name': 'attendance mark',
                        'verbose_name_plural': 'attendance marks',
                        'db_table': 'members_attendancemark',
                        'ordering': ['session', 'member', 'recorded_at', 'uuid'],
                    },
                ),
                migrations.AddIndex(
                    model_name='session',
                    index=models.Index(fields=['group', 'starts_at'], name='session_group_start_idx'),
                ),
                migrations.AddIndex(
                    model_name='attendancemark',
                    index=models.Index(fields=['session', 'member', 'recorded_at'], name='mark_session_member_idx'),
                ),
                migrations.AddConstraint(
                    model_name='attendancemark',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['present', 'late', 'excused', 'absent'])), name='attendancemark_status_valid'),
                ),
        ]),
        move_from_members('attendance', ['session', 'attendancemark']),
    ]
