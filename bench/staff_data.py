"""The staff benchmark's data: a lender's year of relief applications, in bulk SQL.

Borrowers, loans and installments are `seed_demo`'s (12 installments a loan, some overdue);
on top of them, applications spread evenly over the last 13 months (one per loan, so the
"one open application per loan" rule holds): the last 10 days' still open (submitted, in
review, awaiting a second approval, needing information, or an open offer), the older ones
decided by the demo reviewers, a share of them through four eyes. Each application has the
events of its path (about 4) and each event its notifications to the borrower (in the app,
and by SMS or email: about 7.5 an application); two in five decided cases are rated
(satisfaction, some with a comment). Old decided history is history: it is
written with SQL, as a data migration would, not replayed through the services.
"""

from __future__ import annotations

import io
import time

# Statuses by n % 20 for decided history: approved-then-fulfilled 8, rejected 7, expired 2,
# declined 1, withdrawn 2 (never decided).
HISTORY_STATUS = """(ARRAY['fulfilled','fulfilled','fulfilled','fulfilled','fulfilled',
  'fulfilled','fulfilled','fulfilled','rejected','rejected','rejected','rejected','rejected',
  'rejected','rejected','expired','expired','declined','withdrawn','withdrawn'])[1 + n %% 20]"""
OPEN_STATUS = """(ARRAY['submitted','in_review','in_review','in_review','needs_info',
  'pending_second_approval','approved','accepted'])[1 + n %% 8]"""
REASONS = """(ARRAY['serious_illness','accident','natural_disaster','unemployment','income_drop',
  'family_emergency','other'])[1 + n %% 7]"""

INSERT_APPLICATIONS = f"""
WITH picked AS (
    SELECT l.id AS loan_id, l.borrower_id, row_number() OVER (ORDER BY l.id) - 1 AS n
    FROM loans_loan AS l
    ORDER BY l.id
    LIMIT %(count)s
), shaped AS (
    SELECT p.*,
           now() - make_interval(secs => (p.n::float8 * %(span_seconds)s / %(count)s)) AS at,
           CASE WHEN p.n * %(span_seconds)s / %(count)s < 10 * 86400
                THEN {OPEN_STATUS} ELSE {HISTORY_STATUS} END AS status
    FROM picked AS p
)
INSERT INTO relief_reliefapplication (
    loan_id, borrower_id, reason, description, status, policy_id, policy_version, quote,
    suggested_percent, suggested_amount, penalty_at_submission, dpd_at_submission,
    bucket_at_submission, decided_percent, decided_amount, decided_at, decided_by_id,
    first_approver_id, rejection_reason, offer_deadline, waived_amount, sla_due, priority,
    assigned_to_id, triaged_at, version, created_at, updated_at
)
SELECT s.loan_id, s.borrower_id, {REASONS.replace("n %", "s.n %")},
       repeat('Lost my job and could not pay on time. ', 1 + (s.n %% 5)::int),
       s.status, %(policy)s, 1,
       jsonb_build_object(
           'percent', 10 * (s.n %% 10),
           'factors', jsonb_build_array(
               jsonb_build_object('code', 'base', 'points', 10 * (s.n %% 5),
                   'params', jsonb_build_object('days_overdue', 1 + s.n %% 400)),
               jsonb_build_object('code', 'history', 'points', s.n %% 30,
                   'params', jsonb_build_object('on_time_ratio',
                       to_char((s.n %% 101) / 100.0, 'FM0.00'))),
               jsonb_build_object('code', 'hardship', 'points', 20, 'params', '{{}}'::jsonb)),
           'explanation', repeat('The penalty is reduced because of the hardship. ', 8)),
       (10 * (s.n %% 10))::smallint,
       (13.3 * (1 + s.n %% 400) * (s.n %% 10) / 10)::numeric(14, 2),
       (13.3 * (1 + s.n %% 400))::numeric(14, 2), 1 + s.n %% 400,
       (ARRAY['M0','M1','M2','M3','M4+'])[1 + least(4, (1 + s.n %% 400) / 30)::int],
       CASE WHEN s.status IN ('fulfilled','expired','declined','approved','accepted')
            THEN (10 * ((s.n + s.n / 3) %% 10))::smallint END,
       CASE WHEN s.status IN ('fulfilled','expired','declined','approved','accepted')
            THEN (13.3 * (1 + s.n %% 400) * ((s.n + s.n / 3) %% 10) / 10)::numeric(14, 2) END,
       CASE WHEN s.status IN ('fulfilled','expired','declined','rejected','approved',
                              'accepted')
            THEN s.at + make_interval(hours => (1 + s.n %% 70)::int) END,
       CASE WHEN s.status IN ('fulfilled','expired','declined','rejected','approved',
                              'accepted')
            THEN CASE WHEN s.n %% 4 = 0 THEN %(senior)s ELSE %(reviewer)s END END,
       CASE WHEN s.status IN ('fulfilled','expired','declined','approved','accepted')
                 AND s.n %% 4 = 0 THEN %(reviewer)s END,
       CASE WHEN s.status = 'rejected' THEN 'other' ELSE '' END,
       CASE WHEN s.status IN ('fulfilled','expired','declined','approved','accepted')
            THEN (s.at + interval '14 days')::date END,
       CASE WHEN s.status = 'fulfilled'
            THEN (13.3 * (1 + s.n %% 400) * ((s.n + s.n / 3) %% 10) / 10)::numeric(14, 2)
            ELSE 0 END,
       s.at + interval '48 hours', (s.n %% 7) * 10,
       CASE WHEN s.status IN ('in_review','pending_second_approval') AND s.n %% 3 > 0
            THEN %(reviewer)s END,
       s.at + interval '2 minutes', 1, s.at, s.at + interval '3 days'
FROM shaped AS s
"""

# Events along each application's path: submitted, triaged into review, then its ending.
INSERT_EVENTS = """
INSERT INTO relief_applicationevent
    (application_id, at, actor_kind, actor_id, from_status, to_status, note, data)
SELECT a.id, a.created_at + make_interval(mins => step.k),
       CASE WHEN step.k = 0 THEN 'borrower' WHEN step.k = 1 THEN 'system' ELSE 'reviewer' END,
       CASE WHEN step.k >= 2 THEN a.decided_by_id END,
       step.from_status, step.to_status, '', jsonb_build_object('step', step.k)
FROM relief_reliefapplication AS a
CROSS JOIN LATERAL (VALUES
    (0, '', 'submitted'),
    (1, 'submitted', 'in_review'),
    (2, 'in_review', CASE WHEN a.status IN ('fulfilled','expired','declined','accepted')
                          THEN 'approved' ELSE a.status END),
    (3, 'approved', a.status)
) AS step(k, from_status, to_status)
WHERE step.k < 2
   OR (step.k = 2 AND a.status NOT IN ('submitted','in_review'))
   OR (step.k = 3 AND a.status IN ('fulfilled','expired','declined','accepted'))
"""

# Each event tells the borrower in the app, and by SMS (odd events) or email (even).
INSERT_NOTIFICATIONS = """
INSERT INTO relief_notification
    (recipient_id, application_id, event_id, kind, channel, title, body, texts, link, status,
     attempts, last_error, sent_at, read_at, created_at, dedup_key, provider_key)
SELECT b.user_id, e.application_id, e.id, 'application_' || e.to_status, ch.channel,
       'Your application is ' || e.to_status,
       'Your relief application changed: ' || e.to_status || '. Open the app for details.',
       jsonb_build_object('en', jsonb_build_object('title', 'Application ' || e.to_status,
                                                   'body', 'Your application changed.')),
       '/applications/' || e.application_id || '/', 'sent', 1, '', e.at, NULL, e.at, '', ''
FROM relief_applicationevent AS e
JOIN relief_reliefapplication AS a ON a.id = e.application_id
JOIN loans_borrower AS b ON b.id = a.borrower_id
CROSS JOIN LATERAL (VALUES ('in_app'),
    (CASE WHEN e.id % 2 = 1 THEN 'sms' ELSE 'email' END)) AS ch(channel)
WHERE ch.channel = 'in_app' OR e.id % 8 <> 0
"""


# Satisfaction (domain.md §11): two in five decided cases answer after the decision (the
# rejected less satisfied), three in ten fulfilled ones again after the waiver; one answer in
# four with a comment, some with a phone number in it (masked as the service masks it).
INSERT_ANSWERS = """
INSERT INTO relief_satisfactionanswer
    (application_id, moment, outcome, score, comment, comment_masked, answered_by_id, created_at)
SELECT a.id, m.moment, m.outcome, m.score,
       CASE WHEN a.id % 4 = 0 THEN 'Thank you. Call me on 1381234' || d.digits
            WHEN a.id % 4 = 1 THEN 'It took a while, but it was fair.' ELSE '' END,
       CASE WHEN a.id % 4 = 0 THEN 'Thank you. Call me on *******' || d.digits
            WHEN a.id % 4 = 1 THEN 'It took a while, but it was fair.' ELSE '' END,
       b.user_id, a.decided_at + make_interval(days => 1 + (a.id % 5)::int)
FROM relief_reliefapplication AS a
JOIN loans_borrower AS b ON b.id = a.borrower_id
CROSS JOIN LATERAL (SELECT lpad((a.id % 10000)::text, 4, '0') AS digits) AS d
CROSS JOIN LATERAL (VALUES
    ('decision', CASE WHEN a.status = 'rejected' THEN 'rejected' ELSE 'approved' END,
     CASE WHEN a.status = 'rejected' THEN 1 + a.id % 3 ELSE 3 + a.id % 3 END, a.id % 5 < 2),
    ('fulfilment', 'fulfilled', 3 + (a.id / 3) % 3, a.status = 'fulfilled' AND a.id % 10 < 3)
) AS m(moment, outcome, score, answers)
WHERE a.status IN ('approved', 'accepted', 'fulfilled', 'declined', 'expired', 'rejected')
  AND m.answers
"""


def build(*, borrowers: int, applications: int) -> None:
    """Seed borrowers and applications unless the database already holds them."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from loans.models import Borrower
    from relief.models import ReliefApplication, ReliefPolicy
    from relief.services.outcomes import applications_repaid_on_settle

    started = time.perf_counter()
    present = Borrower.objects.filter(external_id__startswith="DEMO-B").count()
    if present < borrowers:
        call_command("seed_demo", borrowers=borrowers, force=True, stdout=io.StringIO())
        print(f"  seeded {borrowers:,} borrowers in {time.perf_counter() - started:.0f}s")
    else:
        print(f"  reusing {present:,} borrowers", flush=True)
    if ReliefApplication.objects.count() == applications:
        print(f"  reusing {applications:,} applications", flush=True)
        answers_build()
        return
    users = dict(get_user_model().objects.values_list("username", "id"))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE relief_reliefapplication CASCADE")
        cursor.execute(
            INSERT_APPLICATIONS,
            {
                "count": applications,
                "span_seconds": 395 * 86400,
                "policy": ReliefPolicy.objects.order_by("version").first().pk,
                "reviewer": users["reviewer"],
                "senior": users["senior"],
            },
        )
        cursor.execute(INSERT_EVENTS)
        cursor.execute(INSERT_NOTIFICATIONS)
    # When each decided case's installments were repaid, as the services keep it.
    applications_repaid_on_settle()
    answers_build(vacuum=False)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"  wrote {applications:,} applications with their events, notifications and "
        f"satisfaction answers in {time.perf_counter() - started:.0f}s",
        flush=True,
    )


def answers_build(*, vacuum: bool = True) -> None:
    """The satisfaction answers, unless there are some (data kept from before they were
    part of the benchmark gets them once)."""
    from django.db import connection

    from relief.models import SatisfactionAnswer

    if SatisfactionAnswer.objects.exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(INSERT_ANSWERS)
        if vacuum:
            cursor.execute("ANALYZE relief_satisfactionanswer")
    print(f"  wrote {SatisfactionAnswer.objects.count():,} satisfaction answers", flush=True)
