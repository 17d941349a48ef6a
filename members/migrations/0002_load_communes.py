"""Load the 56 commune-level units of Cao Bằng (after the 1 July 2025 reform) from data/communes.tsv.

Codes come from a public dataset keyed to the reform resolution; a later correction of the file can
be applied by re-running this function: it updates by code and never deletes.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "communes.tsv"


def load_communes(apps, schema_editor):
    Commune = apps.get_model("members", "Commune")
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            Commune.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "kind": row["kind"]}
            )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(load_communes, migrations.RunPython.noop)]
