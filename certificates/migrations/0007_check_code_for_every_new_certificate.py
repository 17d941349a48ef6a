import certificates.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0006_fill_check_codes_status_indexes_remove_public_pdfs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="certificate",
            name="check_code",
            field=models.CharField(
                default=certificates.models.new_check_code,
                help_text="Printed beside the serial; anyone who types the serial by hand needs it too.",
                max_length=6,
                verbose_name="check code",
            ),
        ),
    ]
