"""Certificates issued before check codes and the status list get theirs; their PDFs leave public
media (where they were named by serial and reachable at /media/certificates/<serial>.pdf): the files
are deleted and the next download renders each again, into private storage under a random name."""

import secrets

from django.core.files.storage import storages
from django.db import migrations, transaction

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # certificates.models.CHECK_CODE_ALPHABET, frozen here
PUBLIC_FOLDER = "certificates"


def _delete_public_pdfs(names) -> None:
    public = storages["default"]
    try:
        _folders, listed = public.listdir(PUBLIC_FOLDER)
    except (FileNotFoundError, NotImplementedError):
        listed = []
    for name in {*names, *(f"{PUBLIC_FOLDER}/{file}" for file in listed if file.lower().endswith(".pdf"))}:
        public.delete(name)


def forwards(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    StatusListCounter = apps.get_model("certificates", "StatusListCounter")
    last = -1
    for certificate in Certificate.objects.order_by("pk").only("pk", "check_code", "status_index"):
        certificate.check_code = certificate.check_code or "".join(secrets.choice(ALPHABET) for _ in range(6))
        if certificate.status_index is None:
            last += 1
            certificate.status_index = last
        last = max(last, certificate.status_index)
        certificate.save(update_fields=["check_code", "status_index"])
    StatusListCounter.objects.update_or_create(purpose="revocation", defaults={"last": last})

    public_names = list(Certificate.objects.exclude(pdf="").values_list("pdf", flat=True))
    Certificate.objects.exclude(pdf="").update(pdf="", pdf_version="")
    # Files go once the rows no longer name them (a failed migration leaves both as they were).
    transaction.on_commit(lambda: _delete_public_pdfs(public_names))


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0005_check_code_status_index_private_pdf"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
