from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from risk.management.dates import day_option
from risk.models import RiskBacktestLine
from risk.services.backtest import DEFAULT_HORIZON_DAYS, LATE_AFTER_DAYS, risk_backtest_run


def shown(value, unit: str = "") -> str:
    return "–" if value is None else f"{value}{unit}"


class Command(BaseCommand):
    help = (
        "Score every loan as of a past date with only what was known then, and print how the "
        "scores foretold the next days: AUC, precision and recall per level, lift by decile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--horizon", type=int, default=DEFAULT_HORIZON_DAYS, help="days")

    def handle(self, *args, **options):
        day = day_option(options["as_of"], "--as-of")
        try:
            backtest = risk_backtest_run(as_of=day, horizon_days=options["horizon"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        write = self.stdout.write
        write(
            f"Backtest of risk model v{backtest.model.version} as of {day.isoformat()}, "
            f"horizon {backtest.horizon_days} days (missed: an installment due then paid more "
            f"than {LATE_AFTER_DAYS} days late or not at all)."
        )
        rate = f"{100 * backtest.missed / backtest.loans:.1f}%" if backtest.loans else "–"
        write(
            f"Loans: {backtest.loans}, missed: {backtest.missed} ({rate}). "
            f"AUC: {shown(backtest.auc)}"
        )
        lines = list(backtest.lines.order_by("kind", "position"))
        write("")
        write(
            f"{'level':<8} {'loans':>7} {'missed':>7} {'rate':>7} {'precision':>10} {'recall':>7}"
        )
        for line in lines:
            if line.kind == RiskBacktestLine.Kind.LEVEL:
                write(
                    f"{line.group:<8} {line.loans:>7} {line.missed:>7} "
                    f"{shown(line.miss_rate, '%'):>7} {shown(line.precision, '%'):>10} "
                    f"{shown(line.recall, '%'):>7}"
                )
        write("(precision and recall: flagging every loan at that level or above)")
        write("")
        write(f"{'decile':<8} {'scores':>9} {'loans':>7} {'missed':>7} {'rate':>7} {'lift':>6}")
        for line in lines:
            if line.kind == RiskBacktestLine.Kind.DECILE:
                write(
                    f"{line.group:<8} {f'{line.min_score}–{line.max_score}':>9} {line.loans:>7} "
                    f"{line.missed:>7} {shown(line.miss_rate, '%'):>7} {shown(line.lift):>6}"
                )
        write("(decile 1: the riskiest tenth of the loans)")
