"""Outreach before a due date (domain.md §10): a high-risk loan with an installment due in
3–7 days gets one message for that installment, in the borrower's language and on her
channel, with the amount, the date, a link to her options and one article; unless the loan is
in the holdout (recorded, so the outcome can be compared) or she opted out.

Two steps, both in `outreach_send` (the command and the beat task):

1. *Pick* (`outreach_pick`): one `Outreach` row per installment, written once (a unique
   constraint: two runs at once, or a retried task, write it once). A held-out loan's row says
   so and nothing is sent. A borrower who already has 2 messages in the last 7 days gets no
   row today (she may tomorrow, while the installment is still 3–7 days away); the rows are
   written with the borrowers' rows locked, so two runs at once cannot both pass the cap.
2. *Send* (`outreach_release`): between 08:00 and 21:00 Asia/Shanghai only; a row picked
   outside those hours waits until 08:00. Each row is locked and sent through
   `relief.services.notifications.notify` (in-app at once, email or SMS by the send-once
   delivery) with a key per installment, then marked sent in the same transaction. A row
   whose installment was paid, whose borrower opted out meanwhile, or whose due date came
   first is cancelled instead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils import timezone

from learn.models import Article
from learn.selectors import pick_article, reader_language
from loans.models import Borrower, Installment, Loan
from loans.selectors import local_today
from relief.services.notifications import notify
from risk import rules
from risk.models import Outreach, RiskLevel, RiskModel
from risk.selectors import HELP_TAG, article_path, options_path, scorecard_of, site_url

DAYS_BEFORE_DUE = (3, 7)
CAP_MESSAGES, CAP_DAYS = 2, 7
# Messages go out from 08:00 up to 21:00 local time (settings.TIME_ZONE, Asia/Shanghai).
SENDING_FROM, SENDING_UNTIL = time(8, 0), time(21, 0)
SENDS_AT_ONCE = 500


def within_sending_hours(moment: datetime) -> bool:
    return SENDING_FROM <= timezone.localtime(moment).time() < SENDING_UNTIL


def next_sending_moment(moment: datetime) -> datetime:
    """`moment` itself within the sending hours, else the next 08:00 local time."""
    local = timezone.localtime(moment)
    if within_sending_hours(moment):
        return moment
    day = local.date() if local.time() < SENDING_FROM else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, SENDING_FROM))


@dataclass
class OutreachRun:
    day: date
    picked: Counter = field(default_factory=Counter)  # by Outreach.Status, and "capped"
    sent: int = 0
    cancelled: int = 0

    def text(self) -> str:
        picked = self.picked
        return (
            f"Outreach for {self.day.isoformat()}: {picked[Outreach.Status.SCHEDULED]} to "
            f"send, {picked[Outreach.Status.HELD_OUT]} held out, {picked['capped']} over the "
            f"{CAP_MESSAGES}-in-{CAP_DAYS}-days cap; {self.sent} sent, {self.cancelled} "
            f"cancelled."
        )


def candidates(day: date) -> QuerySet[Installment]:
    """The unpaid installments due in 3–7 days of the loans scored high risk that day, with no
    outreach yet, the borrower not opted out; each annotated with its score's id and model,
    by borrower."""
    first, last = (day + timedelta(days=days) for days in DAYS_BEFORE_DUE)
    return (
        Installment.objects.filter(
            due_date__gte=first,
            due_date__lte=last,
            paid_off_on__isnull=True,
            loan__status=Loan.Status.ACTIVE,
            loan__borrower__outreach_opt_out=False,
            loan__risk_scores__as_of=day,
            loan__risk_scores__level=RiskLevel.HIGH,
        )
        .exclude(Exists(Outreach.objects.filter(installment_id=OuterRef("pk"))))
        .annotate(
            score_id=F("loan__risk_scores__id"),
            model_id=F("loan__risk_scores__model_id"),
            borrower_id=F("loan__borrower_id"),
        )
        .order_by("loan__borrower_id", "due_date", "pk")
    )


@transaction.atomic
def outreach_pick(*, day: date, now: datetime) -> Counter:
    """Write the day's outreach rows (see the module's docstring) in one transaction;
    returns them counted by status, with "capped" for those left for another day by the cap.

    The candidates' borrowers are locked first (in id order, so two runs queue rather than
    deadlock), then the candidates are read again: a run that waited finds the rows the first
    wrote and writes none of them again, and counts the cap with them.
    """
    counts: Counter = Counter()
    borrower_ids = set(candidates(day).values_list("borrower_id", flat=True))
    if not borrower_ids:
        return counts
    locked = list(
        Borrower.objects.select_for_update()
        .filter(pk__in=borrower_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recent = Counter(
        dict(
            Outreach.objects.filter(
                borrower_id__in=locked,
                status__in=(Outreach.Status.SCHEDULED, Outreach.Status.SENT),
                day__gt=day - timedelta(days=CAP_DAYS),
            )
            .order_by()
            .values("borrower_id")
            .annotate(count=Count("id"))
            .values_list("borrower_id", "count")
        )
    )
    scorecards = {model.pk: scorecard_of(model) for model in RiskModel.objects.all()}
    send_after = next_sending_moment(now)
    rows = []
    for installment in candidates(day).filter(loan__borrower_id__in=locked):
        scorecard = scorecards[installment.model_id]
        row = Outreach(
            installment_id=installment.pk,
            loan_id=installment.loan_id,
            borrower_id=installment.borrower_id,
            score_id=installment.score_id,
            model_version=scorecard.version,
            day=day,
            due_date=installment.due_date,
            amount_due=installment.base_outstanding,
        )
        if rules.in_holdout(installment.loan_id, scorecard.version, scorecard.holdout_percent):
            row.status = Outreach.Status.HELD_OUT
        elif recent[row.borrower_id] >= CAP_MESSAGES:
            counts["capped"] += 1
            continue
        else:
            recent[row.borrower_id] += 1
            row.status = Outreach.Status.SCHEDULED
            row.send_after = send_after
        counts[row.status] += 1
        rows.append(row)
    # The unique installment is the last word on "once" (the locks make a clash unlikely).
    Outreach.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return counts


def _cancel(row: Outreach, reason: str) -> None:
    row.status = Outreach.Status.CANCELLED
    row.cancel_reason = reason
    row.save(update_fields=["status", "cancel_reason"])


def _send_one(outreach_id: int, now: datetime, article: Article | None) -> str | None:
    """Send one waiting row, once; returns its status after, None when another run has it."""
    with transaction.atomic():
        row = (
            Outreach.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("installment", "loan", "borrower", "borrower__user")
            .filter(pk=outreach_id, status=Outreach.Status.SCHEDULED)
            .first()
        )
        if row is None:
            return None
        borrower, installment = row.borrower, row.installment
        if installment.paid_off_on is not None:
            _cancel(row, Outreach.CancelReason.PAID)
        elif borrower.outreach_opt_out:
            _cancel(row, Outreach.CancelReason.OPTED_OUT)
        elif installment.due_date < timezone.localtime(now).date():
            _cancel(row, Outreach.CancelReason.PAST_DUE)
        else:
            article_text = article.text_in(reader_language(borrower.language)) if article else None
            notify(
                recipient=borrower.user,
                kind="outreach",
                language=borrower.language,
                channel_preference=borrower.notification_channel,
                context={
                    "installment": installment,
                    "loan": row.loan,
                    "options_url": site_url(options_path(row.loan_id)),
                    "article": article_text,
                    "article_url": site_url(article_path(article.slug)) if article else "",
                },
                dedup_key=f"outreach:{installment.pk}",
                link=options_path(row.loan_id),
            )
            row.status = Outreach.Status.SENT
            row.sent_at = now
            row.article_slug = article.slug if article else ""
            row.save(update_fields=["status", "sent_at", "article_slug"])
        return row.status


def outreach_release(*, now: datetime) -> Counter:
    """Send the rows whose moment has come, within the sending hours only."""
    counts: Counter = Counter()
    if not within_sending_hours(now):
        return counts
    article = pick_article(HELP_TAG)  # the same for every message of the run
    waiting = Outreach.objects.filter(
        status=Outreach.Status.SCHEDULED, send_after__lte=now
    ).order_by("send_after", "pk")
    while ids := list(waiting.values_list("pk", flat=True)[:SENDS_AT_ONCE]):
        statuses = [_send_one(outreach_id, now, article) for outreach_id in ids]
        counts.update(status for status in statuses if status)
        if not any(statuses):
            break  # all of them taken by another run at once
    return counts


def outreach_send(*, day: date | None = None, now: datetime | None = None) -> OutreachRun:
    """The day's outreach: pick the rows from the day's scores, then send what may go now."""
    now = now or timezone.now()
    day = day or local_today()
    run = OutreachRun(day=day, picked=outreach_pick(day=day, now=now))
    sent = outreach_release(now=now)
    run.sent = sent[Outreach.Status.SENT]
    run.cancelled = sent[Outreach.Status.CANCELLED]
    return run
