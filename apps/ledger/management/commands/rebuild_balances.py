from django.core.management.base import BaseCommand, CommandError

from apps.ledger.balances import find_drift, rebuild_balances


class Command(BaseCommand):
    help = "Recompute the balance snapshots from the journal; --check only reports drift (exit 1 if any)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="write nothing; list drift and fail if any")

    def handle(self, *args, check=False, **options):
        drift = find_drift()
        if check:
            if drift:
                for line in drift:
                    self.stdout.write(line)
                raise CommandError(f"{len(drift)} snapshot(s) differ from the journal")
            self.stdout.write("Snapshots agree with the journal.")
            return
        rebuild_balances()
        self.stdout.write(f"Rebuilt the snapshots from the journal ({len(drift)} had drifted).")
