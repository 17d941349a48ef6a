"""After a signing key is marked compromised (CERTIFICATE_COMPROMISED_KEY_IDS), sign its valid
certificates again with the current key:

    manage.py resign_certificates            # a dry run: says what would change, changes nothing
    manage.py resign_certificates --apply    # re-signs them

Each certificate keeps its serial, check code and printed details and gets a new payload and key id,
an audit event, a PDF rendered again in the background, and a "download it again" notice for its
holder (plus the ``certificate_reissued`` extension point, e.g. an SMS). Revoked certificates stay as
they are. Safe to run again: a certificate already re-signed is no longer selected.
"""

from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from certificates import keys, services
from certificates.models import Certificate


class Command(BaseCommand):
    help = "Sign again, with the current key, the valid certificates signed with a compromised key."

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply", action="store_true", help="Re-sign them (without it, only say what would change)"
        )

    def handle(self, *args, apply: bool, **options):
        compromised = settings.CERTIFICATE_COMPROMISED_KEY_IDS
        if not compromised:
            self.stdout.write(
                "No key is marked compromised (CERTIFICATE_COMPROMISED_KEY_IDS): nothing to do."
            )
            return
        current = keys.keyring().current
        if current.compromised:
            raise CommandError(
                f"The current signing key {current.kid!r} is itself compromised. Add a new key "
                "(manage.py generate_signing_key), set CERTIFICATE_SIGNING_KEY_ID to it, then run this again."
            )
        affected = services.certificates_to_resign().order_by("pk")
        by_key = Counter(affected.values_list("key_id", flat=True))
        if not by_key:
            self.stdout.write(f"No valid certificate is signed with {', '.join(compromised)}: nothing to do.")
            return
        summary = ", ".join(f"{kid}: {count}" for kid, count in sorted(by_key.items()))
        total = sum(by_key.values())
        if not apply:
            self.stdout.write(
                f"Dry run: {total} valid certificate(s) signed with a compromised key ({summary}) would be "
                f"signed again with {current.kid}. Nothing changed; run again with --apply to do it."
            )
            return
        done = skipped = 0
        # One transaction per certificate: an interruption leaves finished ones finished, and a
        # second run picks up the rest.
        for pk in list(affected.values_list("pk", flat=True)):
            try:
                services.certificate_resign(certificate=Certificate(pk=pk))
            except ValidationError:  # revoked (or already re-signed) since the list was made
                skipped += 1
            else:
                done += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Signed {done} certificate(s) again with {current.kid} ({summary}). Their holders are asked "
                "to download them again; the PDFs are being rendered again."
                + (f" {skipped} changed meanwhile and were left as they are." if skipped else "")
            )
        )
