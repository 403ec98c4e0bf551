"""`make chaos`: the whole stack of its own (Redis, PostgreSQL database, gunicorn, Celery
worker and beat) with faults injected while borrowers submit; see docs/operations.md."""

SCALES = {
    # outages, borrowers per scenario, storm size, frozen seconds, repayment loans
    "small": {"outages": 10, "borrowers": 40, "storm": 10, "frozen": 15, "repay_loans": 4},
    "full": {"outages": 13, "borrowers": 120, "storm": 20, "frozen": 15, "repay_loans": 10},
}
