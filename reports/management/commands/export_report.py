"""`python manage.py export_report NAME --from D --to D --format csv|xlsx -o FILE` for
scheduled jobs. Masked unless `--unmasked` is given; logged like every export."""

import getpass
import os
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from loans.models import LoanProduct
from reports.filters import ReportFilters
from reports.forms import validate_report_date
from reports.models import ExportFormat, ExportLog
from reports.queries import REPORTS
from reports.services import report_write


def parse_date(value: str, option: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, got {value!r}") from None
    try:
        validate_report_date(parsed)
    except ValidationError as exc:
        raise CommandError(f"{option}: {' '.join(exc.messages)}") from None
    return parsed


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no name
        return f"uid {os.getuid()}"


class Command(BaseCommand):
    help = "Write a report (applications, monthly-summary, reviewers, effectiveness) to a file."

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"the report: {', '.join(REPORTS)}")
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--product", default="", help="a loan product code (default: all)")
        parser.add_argument(
            "--format", dest="export_format", default="csv", help="csv, xlsx or json"
        )
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument(
            "--unmasked",
            action="store_true",
            help="write names, phones and ids in full (masked by default)",
        )

    def handle(self, *args, name, date_from, date_to, product, export_format, output, **options):
        if name not in REPORTS:
            raise CommandError(f"Unknown report {name!r}; choose one of: {', '.join(REPORTS)}")
        if export_format not in ExportFormat.values:
            raise CommandError(
                f"--format must be one of {', '.join(ExportFormat.values)}, got {export_format!r}"
            )
        start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
        if end < start:
            raise CommandError(f"--to ({end}) is before --from ({start})")
        if product and not LoanProduct.objects.filter(code=product).exists():
            raise CommandError(f"Unknown product {product!r}")
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"The folder of {output} does not exist")
        partial = target.with_name(target.name + ".part")
        try:
            with partial.open("wb") as out:
                rows = report_write(
                    report_name=name,
                    filters=ReportFilters(date_from=start, date_to=end, product=product),
                    export_format=export_format,
                    out=out,
                    unmasked=options["unmasked"],
                    channel=ExportLog.Channel.COMMAND,
                    actor=f"command line ({os_user()})",
                )
            os.replace(partial, target)
        except DomainError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(f"{name}: {rows} rows written to {target}")
