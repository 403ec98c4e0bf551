from datetime import date

from django.core.management.base import BaseCommand, CommandError

from loans.selectors import local_today
from loans.services import penalties_accrue


class Command(BaseCommand):
    help = "Bring penalty accrual of every overdue installment up to a date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD, default today (Asia/Shanghai)")

    def handle(self, *args, **options):
        raw = options.get("date")
        try:
            day = date.fromisoformat(raw) if raw else local_today()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, got {raw!r}") from None
        updated = penalties_accrue(day=day)
        self.stdout.write(
            f"Penalty accrued through {day.isoformat()}: {updated} installments updated."
        )
