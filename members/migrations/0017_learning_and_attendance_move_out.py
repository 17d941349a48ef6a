"""Learning's and attendance's models now live in their own apps (learning 0001, attendance 0001):
members forgets them; their tables and rows stay as they are."""

from django.db import migrations


MOVED = ["session", "attendancemark", "enrolment", "lessonprogress", "quizattempt", "competencyaward"]


def forget_stale_content_types(apps, schema_editor):
    """On a fresh database, a migration that runs between learning 0001 / attendance 0001 and this one
    (creating every permission, lms.migration_support) makes ``members.session`` and the like again,
    empty: they name nothing now."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="members", model__in=MOVED).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0016_officers_choose_no_content"),
        ("learning", "0001_initial"),
        ("attendance", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="competencyaward",
                    name="awarded_by",
                ),
                migrations.RemoveField(
                    model_name="competencyaward",
                    name="competency",
                ),
                migrations.RemoveField(
                    model_name="competencyaward",
                    name="course",
                ),
                migrations.RemoveField(
                    model_name="competencyaward",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="enrolment",
                    name="course",
                ),
                migrations.RemoveField(
                    model_name="enrolment",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="lessonprogress",
                    name="enrolment",
                ),
                migrations.RemoveField(
                    model_name="lessonprogress",
                    name="lesson",
                ),
                migrations.RemoveField(
                    model_name="lessonprogress",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="quizattempt",
                    name="lesson",
                ),
                migrations.RemoveField(
                    model_name="quizattempt",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="session",
                    name="course",
                ),
                migrations.RemoveField(
                    model_name="session",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="session",
                    name="group",
                ),
                migrations.RemoveField(
                    model_name="session",
                    name="lesson",
                ),
                migrations.DeleteModel(
                    name="AttendanceMark",
                ),
                migrations.DeleteModel(
                    name="CompetencyAward",
                ),
                migrations.DeleteModel(
                    name="Enrolment",
                ),
                migrations.DeleteModel(
                    name="LessonProgress",
                ),
                migrations.DeleteModel(
                    name="QuizAttempt",
                ),
                migrations.DeleteModel(
                    name="Session",
                ),
            ]
        ),
        migrations.RunPython(forget_stale_content_types, migrations.RunPython.noop),
    ]
