from django.core.management.base import BaseCommand

from risk.management.dates import day_option
from risk.services import risk_scores_compute


class Command(BaseCommand):
    help = "Score every eligible loan for early warning as of a date (default today), once."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD, default today (Asia/Shanghai)")

    def handle(self, *args, **options):
        run = risk_scores_compute(day=day_option(options.get("date"), "--date"))
        self.stdout.write(run.text())
