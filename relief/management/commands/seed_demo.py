from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.signals import demo_data_seeded
from loans.demo import DEMO_PASSWORD, STAFF_ACCOUNTS, Seeder
from loans.selectors import local_today
from relief.demo import STORIES, arrangement_stories


class Command(BaseCommand):
    help = (
        "Load demo data: products, demo accounts, borrowers in every bucket and repayment "
        "arrangements kept, completed, broken and just started (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--borrowers", type=int, default=40, help="generated borrowers")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, borrowers: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off (pass --force to insist).")
        if borrowers < 0:
            raise CommandError("--borrowers must be 0 or more.")
        seeder = Seeder(today=local_today(), log=self.stdout.write)
        result = seeder.run(borrowers=borrowers)
        stories = arrangement_stories(seeder)
        demo_data_seeded.send(sender=self.__class__, log=self.stdout.write)
        self.stdout.write(
            f"Demo data ready: {result.borrowers_created} borrowers added, "
            f"{result.installments_accrued} overdue installments accrued, "
            f"{stories} repayment arrangements told."
        )
        accounts = ", ".join(
            ["alice", "bob", "carol", *(story.username for story in STORIES), *STAFF_ACCOUNTS]
        )
        self.stdout.write(f"Demo logins ({DEMO_PASSWORD}): {accounts}")
