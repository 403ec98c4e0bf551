from datetime import date

from django.core.management.base import BaseCommand, CommandError

from relief.models import ReliefPolicy
from relief.services.simulation import policy_simulate


class Command(BaseCommand):
    help = "Score past cases under a policy version and print the comparison with the active one."

    def add_arguments(self, parser):
        parser.add_argument("version", type=int)
        parser.add_argument("--since", help="only applications submitted on or after YYYY-MM-DD")

    def handle(self, *args, version: int, since: str | None, **options):
        try:
            since_date = date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(f"--since must be YYYY-MM-DD, got {since!r}") from None
        try:
            result = policy_simulate(version=version, since=since_date)
        except ReliefPolicy.DoesNotExist:
            raise CommandError(f"There is no relief policy version {version}.") from None
        self.stdout.write(result.text())
