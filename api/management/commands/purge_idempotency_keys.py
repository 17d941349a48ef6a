from django.core.management.base import BaseCommand

from api.idempotency import KEEP_FOR, purge


class Command(BaseCommand):
    help = f"Forget Idempotency-Keys older than {KEEP_FOR.days} days (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"{purge()} keys forgotten.")
