"""The idempotency records, moved from ``members`` (its ``0015``): state only, the table is kept."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("members", "0015_idempotencyrecord_moves_to_api"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=255)),
                        ("scope", models.CharField(max_length=64)),
                        ("request_hash", models.CharField(max_length=64)),
                        (
                            "state",
                            models.CharField(
                                choices=[("processing", "processing"), ("done", "done")], default="processing", max_length=12
                            ),
                        ),
                        ("response_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("response_body", models.JSONField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "idempotency key",
                        "verbose_name_plural": "idempotency keys",
                        "db_table": "members_idempotencyrecord",
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "scope", "key"), name="idempotency_unique_key")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
