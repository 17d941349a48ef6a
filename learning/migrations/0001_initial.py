"""Learning's models were made in ``members`` (0004); they move here without copying a row: the
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
                    name='Enrolment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('enrolled_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='enrolled at')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='courses.coursepage', verbose_name='course')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to=settings.AUTH_USER_MODEL, verbose_name='learner')),
                    ],
                    options={
                        'verbose_name': 'enrolment',
                        'verbose_name_plural': 'enrolments',
                        'db_table': 'members_enrolment',
                        'ordering': ['-enrolled_at'],
                    },
                ),
                migrations.CreateModel(
                    name='LessonProgress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('completed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='completed at')),
                        ('enrolment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lesson_progress', to='learning.enrolment', verbose_name='enrolment')),
                        ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='courses.lessonpage', verbose_name='lesson')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lesson_progress', to=settings.AUTH_USER_MODEL, verbose_name='learner')),
                    ],
                    options={
                        'verbose_name': 'completed lesson',
                        'verbose_name_plural': 'completed lessons',
                        'db_table': 'members_lessonprogress',
                    },
                ),
                migrations.CreateModel(
                    name='QuizAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('submission_id', models.UUIDField(default=uuid.uuid4, verbose_name='submission id')),
                        ('answers', models.JSONField(default=dict, verbose_name='answers')),
                        ('correct_count', models.PositiveSmallIntegerField(verbose_name='correct answers')),
                        ('question_count', models.PositiveSmallIntegerField(verbose_name='questions')),
                        ('score', models.PositiveSmallIntegerField(verbose_name='score (%)')),
                        ('passed', models.BooleanField(verbose_name='passed')),
                        ('submitted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='submitted at')),
                        ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quiz_attempts', to='courses.lessonpage', verbose_name='lesson')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quiz_attempts', to=settings.AUTH_USER_MODEL, verbose_name='learner')),
                    ],
                    options={
                        'verbose_name': 'quiz attempt',
                        'verbose_name_plural': 'quiz attempts',
                        'db_table': 'members_quizattempt',
                        'ordering': ['-submitted_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CompetencyAward',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('level', models.PositiveSmallIntegerField(verbose_name='level')),
                        ('evidence', models.CharField(choices=[('course', 'course completed'), ('assessment', 'assessment'), ('attestation', "trainer's attestation")], max_length=12, verbose_name='evidence')),
                        ('awarded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='awarded at')),
                        ('awarded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='awarded by')),
                        ('competency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='courses.competency', verbose_name='competency')),
                        ('course', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='courses.coursepage', verbose_name='course')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='competency_awards', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'competency award',
                        'verbose_name_plural': 'competency awards',
                        'db_table': 'members_competencyaward',
                        'ordering': ['-awarded_at'],
                        'indexes': [models.Index(fields=['competency', 'level'], name='competencyaward_comp_level_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('level__gte', 1), ('level__lte', 8)), name='competencyaward_level_1_8'), models.CheckConstraint(condition=models.Q(models.Q(('evidence', 'course'), _negated=True), ('course__isnull', False), _connector='OR'), name='competencyaward_course_evidence'), models.UniqueConstraint(condition=models.Q(('evidence', 'course')), fields=('user', 'competency', 'course'), name='competencyaward_once_per_course')],
                    },
                ),
                migrations.AddIndex(
                    model_name='enrolment',
                    index=models.Index(fields=['course', 'completed_at'], name='enrolment_course_done_idx'),
                ),
                migrations.AddConstraint(
                    model_name='enrolment',
                    constraint=models.UniqueConstraint(fields=('user', 'course'), name='enrolment_unique_user_course'),
                ),
                migrations.AddConstraint(
                    model_name='lessonprogress',
                    constraint=models.UniqueConstraint(fields=('user', 'lesson'), name='lessonprogress_unique_user_lesson'),
                ),
                migrations.AddIndex(
                    model_name='quizattempt',
                    index=models.Index(fields=['user', 'lesson', 'passed'], name='quizattempt_user_lesson_idx'),
                ),
                migrations.AddConstraint(
                    model_name='quizattempt',
                    constraint=models.UniqueConstraint(fields=('user', 'submission_id'), name='quizattempt_unique_submission'),
                ),
                migrations.AddConstraint(
                    model_name='quizattempt',
                    constraint=models.CheckConstraint(condition=models.Q(('score__lte', 100)), name='quizattempt_score_at_most_100'),
                ),
                migrations.AddConstraint(
                    model_name='quizattempt',
                    constraint=models.CheckConstraint(condition=models.Q(('correct_count__lte', models.F('question_count'))), name='quizattempt_correct_le_questions'),
                ),
        ]),
        move_from_members('learning', ['enrolment', 'lessonprogress', 'quizattempt', 'competencyaward']),
    ]
