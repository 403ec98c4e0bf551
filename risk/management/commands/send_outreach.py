from django.core.management.base import BaseCommand

from risk.management.dates import day_option
from risk.services import outreach_send


class Command(BaseCommand):
    help = (
        "The day's outreach: a message for each installment of a high-risk loan due in 3-7 "
        "days (sent between 08:00 and 21:00 Asia/Shanghai, held until 08:00 otherwise)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD: the day's scores, default today")

    def handle(self, *args, **options):
        run = outreach_send(day=day_option(options.get("date"), "--date"))
        self.stdout.write(run.text())
