"""The idempotency records move to the ``api`` app, which alone uses them: the model leaves members'
state here and enters api's in ``api.0001_initial``; the table (``members_idempotencyrecord``) stays
as it is, so no row is copied."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0014_audit_actions_are_choices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
