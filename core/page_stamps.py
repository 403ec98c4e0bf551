"""The SQL that keeps `core.models.PageStamp` (PostgreSQL): which tables the borrower's pages
show, and how a changed row finds the user whose pages it is on.

Each table gets statement-level triggers: the rows an INSERT, UPDATE or DELETE changed (its
transition table, `changed`) are joined to their owners, whose stamps take new numbers from
a sequence, in user id order (so two transactions cannot deadlock on two stamps). Tables that
every borrower's pages show (loan products, the relief policy) move the stamp of everyone
(key 0), and so does a TRUNCATE of any of them.

One exception: the nightly penalty accrual sets only `penalty_accrued`, `penalty_held` and
`accrued_through` on up to millions of installments, and moves no stamp. The pages bring each
installment's penalty to today from the stored accrual (`loans.selectors.installment_state`)
and a kept page is kept for its day only, so after the accrual they show the very same
figures. Updates of the installments' other columns move the stamp row by row
(`UPDATE OF` those columns); `tests/core/test_page_cache.py` holds that list to the model and
to the columns the accrual sets (`loans.services.ACCRUAL_FIELDS`).
"""

from __future__ import annotations

# The table, and the user ids of its rows in `changed`.
OWNERS = {
    "auth_user": "SELECT c.id FROM changed c",
    "auth_user_groups": "SELECT c.user_id FROM changed c",
    "loans_borrower": "SELECT c.user_id FROM changed c",
    "loans_loan": "SELECT b.user_id FROM changed c JOIN loans_borrower b ON b.id = c.borrower_id",
    "loans_installment": (
        "SELECT b.user_id FROM changed c JOIN loans_loan l ON l.id = c.loan_id "
        "JOIN loans_borrower b ON b.id = l.borrower_id"
    ),
    "loans_repayment": (
        "SELECT b.user_id FROM changed c JOIN loans_loan l ON l.id = c.loan_id "
        "JOIN loans_borrower b ON b.id = l.borrower_id"
    ),
    "relief_reliefapplication": (
        "SELECT b.user_id FROM changed c JOIN loans_borrower b ON b.id = c.borrower_id"
    ),
    "relief_applicationevent": (
        "SELECT b.user_id FROM changed c "
        "JOIN relief_reliefapplication a ON a.id = c.application_id "
        "JOIN loans_borrower b ON b.id = a.borrower_id"
    ),
    "relief_evidence": (
        "SELECT b.user_id FROM changed c "
        "JOIN relief_reliefapplication a ON a.id = c.application_id "
        "JOIN loans_borrower b ON b.id = a.borrower_id"
    ),
    "relief_notification": "SELECT c.recipient_id FROM changed c",
}
EVERYONE_TABLES = ("loans_loanproduct", "relief_reliefpolicy")
# Set by the nightly accrual alone; see the module's docstring.
ACCRUAL_COLUMNS = ("penalty_accrued", "penalty_held", "accrued_through")
INSTALLMENT_COLUMNS = (
    "loan_id",
    "seq",
    "due_date",
    "grace_ends_on",
    "principal_due",
    "interest_due",
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "penalty_waived",
    "daily_penalty",
    "paid_off_on",
)

ALL_EVENTS = ("INSERT", "UPDATE", "DELETE")

BUMP = """
CREATE SEQUENCE core_pagestamp_version;
CREATE OR REPLACE FUNCTION core_pagestamp_bump(keys bigint[]) RETURNS void AS $$
    INSERT INTO core_pagestamp (key, version)
    SELECT owner, nextval('core_pagestamp_version')
    FROM (SELECT DISTINCT unnest(keys) AS owner) AS owners
    WHERE owner IS NOT NULL
    ORDER BY owner
    ON CONFLICT (key) DO UPDATE SET version = EXCLUDED.version;
$$ LANGUAGE sql;
CREATE OR REPLACE FUNCTION core_pagestamp_everyone() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY[0::bigint]);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION core_pagestamp_installment_row() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(
        SELECT b.user_id FROM loans_loan l JOIN loans_borrower b ON b.id = l.borrower_id
        WHERE l.id IN (OLD.loan_id, NEW.loan_id)
    ));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _owner_triggers(table: str, owners: str, events: tuple[str, ...]) -> str:
    function = f"core_pagestamp_{table}"
    sql = [
        f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY({owners}));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;"""
    ]
    for event in events:
        table_kind = "OLD" if event == "DELETE" else "NEW"
        sql.append(
            f"CREATE TRIGGER core_pagestamp_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {table_kind} TABLE AS changed "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )
    return "\n".join(sql)


def create_sql() -> str:
    sql = [BUMP]
    for table, owners in OWNERS.items():
        # The installments' updates are the row trigger's, below.
        events = ("INSERT", "DELETE") if table == "loans_installment" else ALL_EVENTS
        sql.append(_owner_triggers(table, owners, events))
        sql.append(
            f"CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();"
        )
    sql.append(
        "CREATE TRIGGER core_pagestamp_update_row "
        f"AFTER UPDATE OF {', '.join(INSTALLMENT_COLUMNS)} ON loans_installment "
        "FOR EACH ROW EXECUTE FUNCTION core_pagestamp_installment_row();"
    )
    for table in EVERYONE_TABLES:
        sql.append(
            f"CREATE TRIGGER core_pagestamp_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();"
        )
    return "\n".join(sql)


def drop_sql() -> str:
    sql = []
    for table in OWNERS:
        for name in ("insert", "update", "delete", "truncate", "update_row"):
            sql.append(f"DROP TRIGGER IF EXISTS core_pagestamp_{name} ON {table};")
        sql.append(f"DROP FUNCTION IF EXISTS core_pagestamp_{table}();")
    for table in EVERYONE_TABLES:
        sql.append(f"DROP TRIGGER IF EXISTS core_pagestamp_change ON {table};")
    sql.append("DROP FUNCTION IF EXISTS core_pagestamp_installment_row();")
    sql.append("DROP FUNCTION IF EXISTS core_pagestamp_everyone();")
    sql.append("DROP FUNCTION IF EXISTS core_pagestamp_bump(bigint[]);")
    sql.append("DROP SEQUENCE IF EXISTS core_pagestamp_version;")
    return "\n".join(sql)
