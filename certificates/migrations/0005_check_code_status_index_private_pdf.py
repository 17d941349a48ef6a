import certificates.storage
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_staff_groups_without_model_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatusListCounter",
            fields=[
                (
                    "purpose",
                    models.CharField(
                        max_length=20, primary_key=True, serialize=False, verbose_name="status purpose"
                    ),
                ),
                ("last", models.IntegerField(default=-1)),
            ],
            options={
                "verbose_name": "status list counter",
                "verbose_name_plural": "status list counters",
            },
        ),
        # Empty for the certificates already issued; 0004 gives each its own random code.
        migrations.AddField(
            model_name="certificate",
            name="check_code",
            field=models.CharField(
                default="",
                help_text="Printed beside the serial; anyone who types the serial by hand needs it too.",
                max_length=6,
                verbose_name="check code",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="certificate",
            name="status_index",
            field=models.PositiveIntegerField(blank=True, null=True, unique=True, verbose_name="status list index"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="reissued_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When it was last signed again with a new key (the old key was compromised).",
                null=True,
                verbose_name="re-signed at",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="redownloaded_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the holder downloaded the re-signed copy.",
                null=True,
                verbose_name="re-signed copy downloaded at",
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="pdf",
            field=models.FileField(
                blank=True,
                storage=certificates.storage.certificate_storage,
                upload_to="certificates/",
                verbose_name="PDF",
            ),
        ),
    ]
