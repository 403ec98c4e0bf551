"""A known data set for the reports, numbers worked out by hand in the tests.

Seven applications submitted from 2025-01-01 to 2025-02-28 (local time), two just outside.
Times are Asia/Shanghai. The figures each test expects are derived in its docstring.
"""

import os
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from loans.models import Installment, Loan
from relief.models import ApplicationStatus, ReliefApplication, ReliefPolicy, SatisfactionAnswer
from relief.satisfaction import comment_mask
from relief.services.outcomes import applications_repaid_on_settle
from reports.filters import ReportFilters
from tests.factories import BorrowerFactory, UserFactory, make_loan

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal
S = ApplicationStatus
RANGE = ReportFilters(date_from=date(2025, 1, 1), date_to=date(2025, 2, 28))
REPORTS_REDIS_URL = os.environ.get("REPORTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def policy() -> ReliefPolicy:
    # Transactional tests flush the data migration's rows; the reports only need the version.
    return ReliefPolicy.objects.get_or_create(
        version=1, defaults={"document": {}, "status": ReliefPolicy.Status.ACTIVE}
    )[0]


def loan_for(borrower, *, first_due: date, paid_off_on: date | None = None, code="CASH18", **kw):
    """A loan of two installments 30 days apart; the first paid off on `paid_off_on`."""
    loan = make_loan(
        borrower,
        code=code,
        schedule=[
            (first_due, D("1875.00"), D("125.00")),
            (first_due + timedelta(days=30), D("1875.00"), D("125.00")),
        ],
        **kw,
    )
    if paid_off_on:
        Installment.objects.filter(loan=loan, seq=1).update(
            principal_paid=D("1875.00"), interest_paid=D("125.00"), paid_off_on=paid_off_on
        )
    return loan


def application(
    loan: Loan,
    *,
    submitted: datetime,
    status: str,
    reason: str,
    dpd: int,
    bucket: str,
    suggested: int,
    penalty: str,
    decided_percent: int | None = None,
    relief: str | None = None,
    decided_at: datetime | None = None,
    decided_by=None,
    first_approver=None,
    sla_due: datetime | None = None,
    waived: str = "0.00",
) -> ReliefApplication:
    record = ReliefApplication.objects.create(
        loan=loan,
        borrower=loan.borrower,
        reason=reason,
        status=status,
        policy=policy(),
        policy_version=1,
        quote={},
        suggested_percent=suggested,
        suggested_amount=D("0.00"),
        penalty_at_submission=D(penalty),
        dpd_at_submission=dpd,
        bucket_at_submission=bucket,
        decided_percent=decided_percent,
        decided_amount=D(relief) if relief is not None else None,
        decided_at=decided_at,
        decided_by=decided_by,
        first_approver=first_approver,
        sla_due=sla_due,
        waived_amount=D(waived),
    )
    # created_at is auto_now_add: set the submission time afterwards.
    ReliefApplication.objects.filter(pk=record.pk).update(created_at=submitted)
    record.refresh_from_db()
    return record


@dataclass
class DataSet:
    borrower: object
    reviewer: object
    senior: object
    a1: ReliefApplication
    a2: ReliefApplication
    a3: ReliefApplication
    a4: ReliefApplication
    a5: ReliefApplication
    a6: ReliefApplication
    a7: ReliefApplication
    outside: list


@pytest.fixture
def dataset(db) -> DataSet:
    """Times local; "h" = hours from submission to decision; SLA due 48 h after submission.

    app submitted     status     bucket reason           sug dec penalty  relief  decided
    a1  01-10 10:00   fulfilled  M1/20  serious_illness   80  80    26.60   21.28 10 h reviewer
    a2  01-15 09:00   approved   M2/40  accident          60  70   100.00   70.00 30 h reviewer
    a3  01-20 08:00   rejected   M1/19  income_drop       55   –    50.00       – 60 h (late)
    a4  02-03 10:00   accepted   M2/35  serious_illness   50  50 12000.00 6000.00 20 h 4 eyes
    a5  02-05 11:00   withdrawn  M1/10  other             40   –    30.00       – –
    a6  02-10 12:00   in_review  M1/25  unemployment      60   –    40.00       – (past SLA)
    a7  02-14 23:30   approved   M1/2   family_emergency 100 100     5.00    5.00 auto, 0.1 h

    a7 is on CARD24, the others CASH18; a4 was approved by the reviewer, then by the senior.
    Loans: a1's first installment paid off 01-20 (10 days after the decision); a3's on 03-03
    (40 days after); a7's 02-20 (6 days after); a2's and a4's never.
    """
    borrower = BorrowerFactory(
        user__username="zhang",
        name="张三丰",
        phone="13812345678",
        external_id="B-0001234",
    )
    reviewer = UserFactory(username="reviewer", is_staff=True, groups=["Reviewer"])
    senior = UserFactory(username="senior", is_staff=True, groups=["Reviewer", "Senior reviewer"])

    def loan(n, **kw):
        return loan_for(borrower, external_id=f"L-2025-00000{n}", **kw)

    a1 = application(
        loan(1, first_due=date(2024, 12, 21), paid_off_on=date(2025, 1, 20)),
        submitted=local(2025, 1, 10, 10),
        status=S.FULFILLED,
        reason="serious_illness",
        dpd=20,
        bucket="M1",
        suggested=80,
        decided_percent=80,
        penalty="26.60",
        relief="21.28",
        waived="21.28",
        decided_at=local(2025, 1, 10, 20),
        decided_by=reviewer,
        sla_due=local(2025, 1, 12, 10),
    )
    a2 = application(
        loan(2, first_due=date(2024, 12, 6)),
        submitted=local(2025, 1, 15, 9),
        status=S.APPROVED,
        reason="accident",
        dpd=40,
        bucket="M2",
        suggested=60,
        decided_percent=70,
        penalty="100.00",
        relief="70.00",
        decided_at=local(2025, 1, 16, 15),
        decided_by=reviewer,
        sla_due=local(2025, 1, 17, 9),
    )
    a3 = application(
        loan(3, first_due=date(2025, 1, 1), paid_off_on=date(2025, 3, 3)),
        submitted=local(2025, 1, 20, 8),
        status=S.REJECTED,
        reason="income_drop",
        dpd=19,
        bucket="M1",
        suggested=55,
        penalty="50.00",
        decided_at=local(2025, 1, 22, 20),
        decided_by=reviewer,
        sla_due=local(2025, 1, 22, 8),
    )
    a4 = application(
        loan(4, first_due=date(2024, 12, 30)),
        submitted=local(2025, 2, 3, 10),
        status=S.ACCEPTED,
        reason="serious_illness",
        dpd=35,
        bucket="M2",
        suggested=50,
        decided_percent=50,
        penalty="12000.00",
        relief="6000.00",
        decided_at=local(2025, 2, 4, 6),
        decided_by=senior,
        first_approver=reviewer,
        sla_due=local(2025, 2, 5, 10),
    )
    a5 = application(
        loan(5, first_due=date(2025, 1, 26)),
        submitted=local(2025, 2, 5, 11),
        status=S.WITHDRAWN,
        reason="other",
        dpd=10,
        bucket="M1",
        suggested=40,
        penalty="30.00",
    )
    a6 = application(
        loan(6, first_due=date(2025, 1, 16)),
        submitted=local(2025, 2, 10, 12),
        status=S.IN_REVIEW,
        reason="unemployment",
        dpd=25,
        bucket="M1",
        suggested=60,
        penalty="40.00",
        sla_due=local(2025, 2, 12, 12),
    )
    a7 = application(
        loan(7, first_due=date(2025, 2, 12), paid_off_on=date(2025, 2, 20), code="CARD24"),
        submitted=local(2025, 2, 14, 23, 30),
        status=S.APPROVED,
        reason="family_emergency",
        dpd=2,
        bucket="M1",
        suggested=100,
        decided_percent=100,
        penalty="5.00",
        relief="5.00",
        decided_at=local(2025, 2, 14, 23, 36),
    )
    outside = [
        application(
            loan(8, first_due=date(2024, 12, 1)),
            submitted=local(2024, 12, 31, 23, 59),
            status=S.REJECTED,
            reason="other",
            dpd=30,
            bucket="M1",
            suggested=40,
            penalty="10.00",
            decided_at=local(2025, 1, 2, 10),
            decided_by=reviewer,
        ),
        application(
            loan(9, first_due=date(2025, 2, 1)),
            submitted=local(2025, 3, 1, 0, 0, 30),
            status=S.WITHDRAWN,
            reason="other",
            dpd=28,
            bucket="M1",
            suggested=40,
            penalty="10.00",
        ),
    ]
    # History written as rows, not through the services: set each case's repayment date as
    # the decision and the repayments would have (what migration relief 0016 does).
    applications_repaid_on_settle()
    return DataSet(borrower, reviewer, senior, a1, a2, a3, a4, a5, a6, a7, outside)


def answer(application, moment, outcome, score, comment=""):
    return SatisfactionAnswer.objects.create(
        application=application,
        moment=moment,
        outcome=outcome,
        score=score,
        comment=comment,
        comment_masked=comment_mask(comment),
    )


@pytest.fixture
def answered(dataset):
    """Answers of the satisfaction question on the data set (test_satisfaction_report.py
    works out the figures)."""
    answer(dataset.a1, "decision", "approved", 5, "Very kind. My phone is 13912345678.")
    answer(dataset.a1, "fulfilment", "fulfilled", 4)
    answer(dataset.a3, "decision", "rejected", 2, "My ID 110105194912310021 was checked twice")
    answer(dataset.a4, "decision", "approved", 4)
    answer(dataset.outside[0], "decision", "rejected", 1, "Outside the range")
    return dataset


def grant_unmasked(user):
    """relief.export_unmasked (the relief migration adds it; made here if it has not run)."""
    permission, _ = Permission.objects.get_or_create(
        codename="export_unmasked",
        content_type=ContentType.objects.get_for_model(ReliefApplication),
        defaults={"name": "Can export unmasked borrower data"},
    )
    user.user_permissions.add(permission)
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached


@pytest.fixture
def ops_unmasked(db):
    return grant_unmasked(UserFactory(username="ops-lead", groups=["Ops"]))


def reports_redis() -> str:
    """Redis for the worker test (DB 5): skipped when it does not answer, unless under CI."""
    parsed = urlparse(REPORTS_REDIS_URL)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), 1).close()
    except OSError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs Redis for the export worker test; {REPORTS_REDIS_URL} is down")
        pytest.skip(f"Redis at {REPORTS_REDIS_URL} does not answer (set CI=true to fail instead)")
    return REPORTS_REDIS_URL


@pytest.fixture
def export_worker(transactional_db):
    """A real Celery worker (a thread) on Redis DB 5, emptied before and after."""
    import redis
    from celery.contrib.testing.worker import start_worker

    import reports.tasks  # noqa: F401 - the worker must know the task
    from config.celery import app
    from tests.conftest import use_broker

    url = reports_redis()
    client = redis.Redis.from_url(url)
    client.flushdb()
    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    use_broker(url)
    try:
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=10,
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = previous[0]
        use_broker(previous[1])
        client.flushdb()
