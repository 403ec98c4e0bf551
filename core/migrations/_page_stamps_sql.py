"""The page stamps' triggers as migrations 0002 (created) and 0003 (dropped) ran them.

Kept as text, frozen: migrations replay history, so they must not read code that has changed
or gone since (the stamps and the page cache they served were removed in 0003).
"""

CREATE = """
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


CREATE OR REPLACE FUNCTION core_pagestamp_auth_user() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT c.id FROM changed c));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON auth_user REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_auth_user();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON auth_user REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_auth_user();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON auth_user REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_auth_user();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON auth_user FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_auth_user_groups() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT c.user_id FROM changed c));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON auth_user_groups REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_auth_user_groups();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON auth_user_groups REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_auth_user_groups();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON auth_user_groups REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_auth_user_groups();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON auth_user_groups FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_loans_borrower() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT c.user_id FROM changed c));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON loans_borrower REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_borrower();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON loans_borrower REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_borrower();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON loans_borrower REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_borrower();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON loans_borrower FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_loans_loan() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT b.user_id FROM changed c JOIN loans_borrower b ON b.id = c.borrower_id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON loans_loan REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_loan();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON loans_loan REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_loan();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON loans_loan REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_loan();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON loans_loan FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_loans_installment() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT b.user_id FROM changed c JOIN loans_loan l ON l.id = c.loan_id JOIN loans_borrower b ON b.id = l.borrower_id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON loans_installment REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_installment();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON loans_installment REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_installment();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON loans_installment FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_loans_repayment() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT b.user_id FROM changed c JOIN loans_loan l ON l.id = c.loan_id JOIN loans_borrower b ON b.id = l.borrower_id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON loans_repayment REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_repayment();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON loans_repayment REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_repayment();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON loans_repayment REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_loans_repayment();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON loans_repayment FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_relief_reliefapplication() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT b.user_id FROM changed c JOIN loans_borrower b ON b.id = c.borrower_id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON relief_reliefapplication REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_reliefapplication();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON relief_reliefapplication REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_reliefapplication();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON relief_reliefapplication REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_reliefapplication();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON relief_reliefapplication FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_relief_applicationevent() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT b.user_id FROM changed c JOIN relief_reliefapplication a ON a.id = c.application_id JOIN loans_borrower b ON b.id = a.borrower_id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON relief_applicationevent REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_applicationevent();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON relief_applicationevent REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_applicationevent();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON relief_applicationevent REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_applicationevent();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON relief_applicationevent FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_relief_evidence() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT b.user_id FROM changed c JOIN relief_reliefapplication a ON a.id = c.application_id JOIN loans_borrower b ON b.id = a.borrower_id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON relief_evidence REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_evidence();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON relief_evidence REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_evidence();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON relief_evidence REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_evidence();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON relief_evidence FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();

CREATE OR REPLACE FUNCTION core_pagestamp_relief_notification() RETURNS trigger AS $$
BEGIN
    PERFORM core_pagestamp_bump(ARRAY(SELECT c.recipient_id FROM changed c));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_pagestamp_insert AFTER INSERT ON relief_notification REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_notification();
CREATE TRIGGER core_pagestamp_update AFTER UPDATE ON relief_notification REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_notification();
CREATE TRIGGER core_pagestamp_delete AFTER DELETE ON relief_notification REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_relief_notification();
CREATE TRIGGER core_pagestamp_truncate AFTER TRUNCATE ON relief_notification FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();
CREATE TRIGGER core_pagestamp_update_row AFTER UPDATE OF loan_id, seq, due_date, grace_ends_on, principal_due, interest_due, principal_paid, interest_paid, penalty_paid, penalty_waived, daily_penalty, paid_off_on ON loans_installment FOR EACH ROW EXECUTE FUNCTION core_pagestamp_installment_row();
CREATE TRIGGER core_pagestamp_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON loans_loanproduct FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();
CREATE TRIGGER core_pagestamp_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON relief_reliefpolicy FOR EACH STATEMENT EXECUTE FUNCTION core_pagestamp_everyone();
"""

DROP = """
DROP TRIGGER IF EXISTS core_pagestamp_insert ON auth_user;
DROP TRIGGER IF EXISTS core_pagestamp_update ON auth_user;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON auth_user;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON auth_user;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON auth_user;
DROP FUNCTION IF EXISTS core_pagestamp_auth_user();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON auth_user_groups;
DROP TRIGGER IF EXISTS core_pagestamp_update ON auth_user_groups;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON auth_user_groups;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON auth_user_groups;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON auth_user_groups;
DROP FUNCTION IF EXISTS core_pagestamp_auth_user_groups();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON loans_borrower;
DROP TRIGGER IF EXISTS core_pagestamp_update ON loans_borrower;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON loans_borrower;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON loans_borrower;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON loans_borrower;
DROP FUNCTION IF EXISTS core_pagestamp_loans_borrower();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON loans_loan;
DROP TRIGGER IF EXISTS core_pagestamp_update ON loans_loan;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON loans_loan;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON loans_loan;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON loans_loan;
DROP FUNCTION IF EXISTS core_pagestamp_loans_loan();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON loans_installment;
DROP TRIGGER IF EXISTS core_pagestamp_update ON loans_installment;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON loans_installment;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON loans_installment;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON loans_installment;
DROP FUNCTION IF EXISTS core_pagestamp_loans_installment();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON loans_repayment;
DROP TRIGGER IF EXISTS core_pagestamp_update ON loans_repayment;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON loans_repayment;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON loans_repayment;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON loans_repayment;
DROP FUNCTION IF EXISTS core_pagestamp_loans_repayment();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON relief_reliefapplication;
DROP TRIGGER IF EXISTS core_pagestamp_update ON relief_reliefapplication;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON relief_reliefapplication;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON relief_reliefapplication;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON relief_reliefapplication;
DROP FUNCTION IF EXISTS core_pagestamp_relief_reliefapplication();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON relief_applicationevent;
DROP TRIGGER IF EXISTS core_pagestamp_update ON relief_applicationevent;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON relief_applicationevent;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON relief_applicationevent;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON relief_applicationevent;
DROP FUNCTION IF EXISTS core_pagestamp_relief_applicationevent();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON relief_evidence;
DROP TRIGGER IF EXISTS core_pagestamp_update ON relief_evidence;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON relief_evidence;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON relief_evidence;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON relief_evidence;
DROP FUNCTION IF EXISTS core_pagestamp_relief_evidence();
DROP TRIGGER IF EXISTS core_pagestamp_insert ON relief_notification;
DROP TRIGGER IF EXISTS core_pagestamp_update ON relief_notification;
DROP TRIGGER IF EXISTS core_pagestamp_delete ON relief_notification;
DROP TRIGGER IF EXISTS core_pagestamp_truncate ON relief_notification;
DROP TRIGGER IF EXISTS core_pagestamp_update_row ON relief_notification;
DROP FUNCTION IF EXISTS core_pagestamp_relief_notification();
DROP TRIGGER IF EXISTS core_pagestamp_change ON loans_loanproduct;
DROP TRIGGER IF EXISTS core_pagestamp_change ON relief_reliefpolicy;
DROP FUNCTION IF EXISTS core_pagestamp_installment_row();
DROP FUNCTION IF EXISTS core_pagestamp_everyone();
DROP FUNCTION IF EXISTS core_pagestamp_bump(bigint[]);
DROP SEQUENCE IF EXISTS core_pagestamp_version;
"""
