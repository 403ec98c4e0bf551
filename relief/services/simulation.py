"""Policy simulation: score past cases under a policy version and under the active one, and
compare. Loads everything in a few queries and scores in memory (100,000 cases in seconds).

Past applications are re-scored from what was frozen at their submission (days overdue,
penalty, history, prior reliefs, reason, verified evidence). Where there are none, the
loans overdue today are scored instead, with the reason "other" (no reason is known yet) and
the penalty as the nightly accrual left it.

Alongside relief, the arrangements each version would offer (domain.md §9) are quoted for the
loans overdue today, as they stand (an arrangement is about the loan as it is now, so past
applications say little of it): how many could have a plan or a deferral, and how many an
option approved without a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.utils import timezone

from loans import calculations
from loans.calculations import ZERO
from loans.models import Arrangement, Installment, Loan
from loans.selectors import local_today
from relief import rules
from relief.models import Evidence, ReliefApplication, ReliefPolicy
from relief.selectors import GRANTED_STATUSES, policy_rules


@dataclass
class Tally:
    cases: int = 0
    eligible: int = 0
    auto_approvable: int = 0
    percent_sum: int = 0
    amount: Decimal = ZERO

    def add(self, quote: rules.Quote) -> None:
        self.cases += 1
        if quote.eligible:
            self.eligible += 1
            self.percent_sum += quote.percent
            self.amount += quote.amount
        if quote.auto_approvable:
            self.auto_approvable += 1

    @property
    def mean_percent(self) -> Decimal:
        if not self.eligible:
            return Decimal("0.0")
        return (Decimal(self.percent_sum) / self.eligible).quantize(Decimal("0.1"))


@dataclass
class ArrangementTally:
    """Loans quoted for an arrangement under one version: how many could have one, of each
    kind, and how many an option approved without a person."""

    cases: int = 0
    eligible: int = 0
    plan: int = 0
    deferral: int = 0
    automatic: int = 0

    def add(self, quote: rules.ArrangementQuote) -> None:
        self.cases += 1
        kinds = {option.kind for option in quote.options}
        self.eligible += bool(kinds)
        self.plan += rules.PLAN in kinds
        self.deferral += rules.DEFERRAL in kinds
        self.automatic += any(option.auto_approvable for option in quote.options)


@dataclass
class Change:
    key: str
    bucket: str
    reason: str
    active_percent: int
    draft_percent: int
    active_amount: Decimal
    draft_amount: Decimal

    @property
    def delta(self) -> int:
        return self.draft_percent - self.active_percent


@dataclass
class SimulationResult:
    version: int
    active_version: int
    source: str  # "applications" or "overdue_loans"
    since: date | None
    total: dict[str, Tally] = field(default_factory=lambda: {"active": Tally(), "draft": Tally()})
    by_bucket: dict[str, dict[str, Tally]] = field(default_factory=dict)
    by_reason: dict[str, dict[str, Tally]] = field(default_factory=dict)
    biggest_changes: list[Change] = field(default_factory=list)
    # Arrangements quoted for the loans overdue today: "all" and each bucket, each with
    # "active" and "draft" tallies.
    arrangements: dict[str, dict[str, ArrangementTally]] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return self.total["active"].cases

    def arrangement_rows(self) -> list[dict]:
        """The arrangements side by side: all loans, then each bucket."""
        order = sorted(self.arrangements, key=lambda key: (key != "all", key))
        return [
            {
                "group": "all" if key == "all" else "bucket",
                "value": "" if key == "all" else key,
                "loans": tallies["active"].cases,
                **{
                    f"{name}_{side}": getattr(tallies[side], name)
                    for name in ("eligible", "plan", "deferral", "automatic")
                    for side in ("active", "draft")
                },
            }
            for key, tallies in ((key, self.arrangements[key]) for key in order)
        ]

    def rows(self) -> list[dict]:
        """Side by side, one row per group: overall, each bucket, each reason."""
        groups = [("all", "", self.total)]
        groups += [("bucket", k, v) for k, v in sorted(self.by_bucket.items())]
        groups += [("reason", k, v) for k, v in sorted(self.by_reason.items())]
        return [
            {
                "group": group,
                "value": value,
                "cases": tallies["active"].cases,
                "eligible_active": tallies["active"].eligible,
                "eligible_draft": tallies["draft"].eligible,
                "auto_active": tallies["active"].auto_approvable,
                "auto_draft": tallies["draft"].auto_approvable,
                "mean_percent_active": tallies["active"].mean_percent,
                "mean_percent_draft": tallies["draft"].mean_percent,
                "amount_active": tallies["active"].amount,
                "amount_draft": tallies["draft"].amount,
            }
            for group, value, tallies in groups
        ]

    def text(self) -> str:
        lines = [
            f"Policy v{self.version} against active v{self.active_version}: {self.cases} cases "
            f"({'past applications' if self.source == 'applications' else 'loans overdue today'}"
            f"{f' since {self.since}' if self.since else ''})",
            f"{'group':<24}{'cases':>8}{'eligible':>18}{'auto':>16}{'mean %':>16}"
            f"{'total relief':>30}",
            f"{'':<32}"
            + f"{'active':>9}{'draft':>9}{'active':>8}{'draft':>8}{'active':>8}{'draft':>8}"
            f"{'active':>15}{'draft':>15}",
        ]
        for row in self.rows():
            name = row["value"] or "all"
            lines.append(
                f"{(row['group'] + ':' + name) if row['value'] else 'all':<24}{row['cases']:>8}"
                f"{row['eligible_active']:>9}{row['eligible_draft']:>9}"
                f"{row['auto_active']:>8}{row['auto_draft']:>8}"
                f"{row['mean_percent_active']:>8}{row['mean_percent_draft']:>8}"
                f"{row['amount_active']:>15}{row['amount_draft']:>15}"
            )
        if self.arrangements:
            lines.append(
                f"Arrangements for the {self.arrangements['all']['active'].cases} loans overdue "
                f"today (active → draft):"
            )
            lines.append(
                f"{'group':<24}{'loans':>8}{'eligible':>14}{'plan':>14}{'deferral':>14}"
                f"{'automatic':>14}"
            )
            for row in self.arrangement_rows():
                name = f"{row['group']}:{row['value']}" if row["value"] else "all"
                lines.append(
                    f"{name:<24}{row['loans']:>8}"
                    + "".join(
                        f"{row[kind + '_active']:>7}{row[kind + '_draft']:>7}"
                        for kind in ("eligible", "plan", "deferral", "automatic")
                    )
                )
        if self.biggest_changes:
            lines.append("Cases that change most (active % → draft %):")
            for change in self.biggest_changes:
                lines.append(
                    f"  {change.key}: {change.active_percent}% → {change.draft_percent}% "
                    f"({change.delta:+d}), {change.bucket}, {change.reason}"
                )
        return "\n".join(lines)


def _factor(quote_document: dict, code: str) -> dict | None:
    for factor in quote_document.get("factors", []):
        if factor.get("code") == code:
            return factor
    return None


def cases_from_applications(since: date | None) -> list[tuple[str, str, rules.Case]]:
    # In no order: the tallies do not depend on it and the biggest changes are sorted by
    # their own key (sorting the rows with their quotes spilled to disk).
    applications = ReliefApplication.objects.order_by()
    if since:
        # From the local midnight starting `since`: a timestamp range the index on created_at
        # serves (created_at__date would read every row to convert it).
        applications = applications.filter(
            created_at__gte=timezone.make_aware(datetime.combine(since, time.min))
        )
    rows = applications.annotate(
        verified=Exists(
            Evidence.objects.filter(application=OuterRef("pk"), verified_at__isnull=False)
        ),
        attached=Exists(Evidence.objects.filter(application=OuterRef("pk"))),
    ).values_list(
        "pk",
        "quote__factors",  # only the factors of the quote: not its whole document
        "reason",
        "bucket_at_submission",
        "penalty_at_submission",
        "verified",
        "attached",
    )
    cases = []
    for pk, factors, reason, bucket, penalty, verified, attached in rows.iterator(chunk_size=5000):
        quote = {"factors": factors or []}
        base = _factor(quote, "base") or {"params": {}}
        history = _factor(quote, "history") or {"params": {}}
        prior = _factor(quote, "prior_reliefs") or {"params": {}}
        cases.append(
            (
                f"application #{pk}",
                bucket,
                rules.Case(
                    days_overdue=int(base["params"].get("days_overdue") or 0),
                    penalty_outstanding=penalty,
                    on_time_ratio=Decimal(str(history["params"].get("on_time_ratio", "1"))),
                    prior_reliefs_12m=int(prior["params"].get("count", 0)),
                    reason=reason,
                    evidence_verified=verified,
                    # Files no one has verified keep a case from auto-approval, as at triage.
                    evidence_to_verify=attached and not verified,
                ),
            )
        )
    return cases


def cases_from_overdue_loans(today: date) -> list[tuple[str, str, rules.Case]]:
    """Every active loan with something unpaid past due, scored with the reason "other"."""
    window_start = calculations.months_before(today, 24)
    loans = (
        Loan.objects.filter(status=Loan.Status.ACTIVE)
        .annotate(
            oldest_due=Min(
                "installments__due_date",
                filter=Q(installments__paid_off_on__isnull=True, installments__due_date__lt=today),
            ),
            penalty=Sum(
                F("installments__penalty_accrued")
                - F("installments__penalty_paid")
                - F("installments__penalty_waived")
                - F("installments__penalty_moved")
            ),
        )
        .filter(oldest_due__isnull=False)
        .values_list(
            "external_id", "borrower_id", "oldest_due", "penalty", "legal_proceedings", "fraud_flag"
        )
    )
    history = {
        row["loan__borrower_id"]: row
        for row in Installment.objects.filter(
            paid_off_on__isnull=False, due_date__gt=window_start, due_date__lte=today
        )
        .values("loan__borrower_id")
        .annotate(
            counted=Count("id"),
            on_time=Count("id", filter=Q(paid_off_on__lte=F("grace_ends_on"))),
        )
    }
    granted = dict(
        ReliefApplication.objects.filter(
            status__in=GRANTED_STATUSES,
            asks_relief=True,
            decided_at__date__gt=today.fromordinal(today.toordinal() - 365),
        )
        .values("borrower_id")
        .annotate(n=Count("id"))
        .values_list("borrower_id", "n")
    )
    cases = []
    for external_id, borrower_id, oldest_due, penalty, legal, fraud in loans.iterator(
        chunk_size=5000
    ):
        days = (today - oldest_due).days
        row = history.get(borrower_id)
        ratio = Decimal(1)
        if row and row["counted"]:
            ratio = (Decimal(row["on_time"]) / row["counted"]).quantize(
                calculations.RATIO_PLACES, rounding=ROUND_DOWN
            )
        cases.append(
            (
                f"loan {external_id}",
                calculations.bucket(days),
                rules.Case(
                    days_overdue=days,
                    penalty_outstanding=penalty or ZERO,
                    on_time_ratio=ratio,
                    prior_reliefs_12m=granted.get(borrower_id, 0),
                    reason="other",
                    legal_proceedings=legal,
                    fraud_flag=fraud,
                ),
            )
        )
    return cases


def policy_simulate(
    *, version: int, since: date | None = None, today: date | None = None, top: int = 10
) -> SimulationResult:
    """Score past cases under policy `version` and under the active policy, side by side."""
    today = today or local_today()
    draft_record = ReliefPolicy.objects.get(version=version)
    active_record = ReliefPolicy.objects.get(status=ReliefPolicy.Status.ACTIVE)
    draft, active = policy_rules(draft_record), policy_rules(active_record)
    cases = cases_from_applications(since)
    source = "applications"
    if not cases:
        cases = cases_from_overdue_loans(today)
        source = "overdue_loans"
    result = SimulationResult(
        version=version, active_version=active_record.version, source=source, since=since
    )
    changes: list[Change] = []
    for key, bucket, case in cases:
        before = rules.quote(case, active)
        after = rules.quote(case, draft)
        for group, value in (("bucket", bucket), ("reason", case.reason)):
            groups = result.by_bucket if group == "bucket" else result.by_reason
            tallies = groups.setdefault(value, {"active": Tally(), "draft": Tally()})
            tallies["active"].add(before)
            tallies["draft"].add(after)
        result.total["active"].add(before)
        result.total["draft"].add(after)
        if before.percent != after.percent or before.eligible != after.eligible:
            changes.append(
                Change(
                    key,
                    bucket,
                    case.reason,
                    before.percent,
                    after.percent,
                    before.amount,
                    after.amount,
                )
            )
    changes.sort(key=lambda change: (-abs(change.delta), change.key))
    result.biggest_changes = changes[:top]
    if active.arrangements is not None or draft.arrangements is not None:
        result.arrangements = arrangements_simulate(
            arrangement_cases_from_loans(today), active=active, draft=draft
        )
    return result


def arrangements_simulate(
    cases: list[tuple[str, rules.ArrangementCase]], *, active: rules.Policy, draft: rules.Policy
) -> dict[str, dict[str, ArrangementTally]]:
    """Quote every case under both versions, tallied for all and by bucket."""
    tallies: dict[str, dict[str, ArrangementTally]] = {}
    for bucket, case in cases:
        before = rules.arrangement_quote(case, active)
        after = rules.arrangement_quote(case, draft)
        for key in ("all", bucket):
            pair = tallies.setdefault(
                key, {"active": ArrangementTally(), "draft": ArrangementTally()}
            )
            pair["active"].add(before)
            pair["draft"].add(after)
    # An empty book still shows its row of zeros.
    tallies.setdefault("all", {"active": ArrangementTally(), "draft": ArrangementTally()})
    return dict(tallies)


def arrangement_cases_from_loans(today: date) -> list[tuple[str, rules.ArrangementCase]]:
    """Every active loan with something unpaid past due, as the arrangement rules see it
    today: reason "other" with a description (no reason is known yet), and an open
    application left out (the question is what each version would offer). Three queries."""
    overdue_loans = Loan.objects.filter(
        Exists(
            Installment.objects.filter(
                loan=OuterRef("pk"), paid_off_on__isnull=True, due_date__lt=today
            )
        ),
        status=Loan.Status.ACTIVE,
    )
    loans = overdue_loans.annotate(
        oldest_due=Min(
            "installments__due_date",
            filter=Q(installments__paid_off_on__isnull=True, installments__due_date__lt=today),
        ),
        first_due=Min("installments__due_date"),
        penalty=Sum(
            F("installments__penalty_accrued")
            - F("installments__penalty_paid")
            - F("installments__penalty_waived")
            - F("installments__penalty_moved")
        ),
    ).values_list(
        "pk",
        "oldest_due",
        "first_due",
        "penalty",
        "annual_rate",
        "legal_proceedings",
        "fraud_flag",
        "borrower_id",
    )
    rows = {row[0]: row for row in loans.iterator(chunk_size=5000)}
    # The loans' arrangements so far: active, the last deferral's start, the last break; and
    # how many each borrower started in the last 12 months.
    history: dict[int, dict] = defaultdict(dict)
    started_12m: dict[int, int] = defaultdict(int)
    year_ago = calculations.months_before(today, 12)
    for loan_id, borrower_id, kind, status, started_on, broken_on in Arrangement.objects.filter(
        loan__in=overdue_loans.values("pk"), started_on__isnull=False
    ).values_list("loan_id", "loan__borrower_id", "kind", "status", "started_on", "broken_on"):
        seen = history[loan_id]
        seen["active"] = seen.get("active") or status == Arrangement.Status.ACTIVE
        if kind == Arrangement.Kind.DEFERRAL:
            seen["deferral"] = max(filter(None, (seen.get("deferral"), started_on)))
        if broken_on is not None:
            seen["broken"] = max(filter(None, (seen.get("broken"), broken_on)))
        if started_on > year_ago:
            started_12m[borrower_id] += 1
    unpaid: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        Installment.objects.filter(loan__in=overdue_loans.values("pk"), paid_off_on__isnull=True)
        .order_by("loan_id", "due_date", "seq")
        .values_list(
            "loan_id",
            "due_date",
            # What moved into a plan is no longer owed here.
            F("principal_due") - F("principal_moved"),
            "principal_paid",
            F("interest_due") - F("interest_moved"),
            "interest_paid",
        )
        .iterator(chunk_size=5000)
    ):
        unpaid[row[0]].append(row[1:])

    def owed(installment) -> Decimal:
        _, principal_due, principal_paid, interest_due, interest_paid = installment
        return principal_due - principal_paid + interest_due - interest_paid

    cases = []
    for loan_id, (_, oldest_due, first_due, penalty, rate, legal, fraud, borrower) in rows.items():
        installments = unpaid.get(loan_id, [])
        seen = history.get(loan_id, {})
        overdue = [i for i in installments if i[0] < today]
        upcoming = [i for i in installments if i[0] >= today]
        days = (today - oldest_due).days
        cases.append(
            (
                calculations.bucket(days),
                rules.ArrangementCase(
                    start=today,
                    days_overdue=days,
                    overdue_principal=sum((i[1] - i[2] for i in overdue), ZERO),
                    overdue_interest=sum((i[3] - i[4] for i in overdue), ZERO),
                    penalty_outstanding=max(penalty or ZERO, ZERO),
                    unpaid_principal=sum((i[1] - i[2] for i in installments), ZERO),
                    unpaid_amount=sum((owed(i) for i in installments), ZERO),
                    first_unpaid_amount=owed(installments[0]) if installments else ZERO,
                    unpaid_due_dates=tuple(i[0] for i in installments),
                    regular_installment=upcoming[0][1] + upcoming[0][3] if upcoming else ZERO,
                    annual_rate=rate,
                    day_of_month=first_due.day,
                    reason="other",
                    legal_proceedings=legal,
                    fraud_flag=fraud,
                    has_active_arrangement=bool(seen.get("active")),
                    last_deferral_on=seen.get("deferral"),
                    plan_broken_on=seen.get("broken"),
                    arrangements_12m=started_12m[borrower],
                ),
            )
        )
    return cases


__all__ = ["SimulationResult", "policy_simulate"]
