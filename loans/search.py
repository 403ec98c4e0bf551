"""What a staff search box term finds among borrowers and loans, each lookup through an index.

Used by the review queue's search (relief/admin/queue.py) and the borrowers' list
(loans/admin.py). Exact first: a borrower's or loan's external id in any case (the
`UPPER(external_id)` indexes), a whole phone, a whole name (btree indexes). Only when nothing
matches exactly, part of a name or of an external id (trigram indexes on PostgreSQL,
migration loans 0008) and, for those who see phones in full
(`core.permissions.can_see_full_phones`), part of a phone: from four digits on for a number.
Who sees phones masked finds a borrower by the whole number only.

The matches on each table are combined with a UNION of primary keys (`any_of`), not an OR
across tables: PostgreSQL reads an `IN (…) OR IN (…)` over two tables by scanning the whole
list's table, and each arm of a UNION through its own index.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

# A number this long or shorter may also be an application's or a row's id.
MAX_ID_DIGITS = 18
PARTIAL_PHONE_MIN_DIGITS = 4


def is_number(term: str) -> bool:
    return term.isdigit() and len(term) <= MAX_ID_DIGITS


def borrower_match(term: str, *, full_phones: bool, partial: bool) -> Q | None:
    """Borrowers the term finds (None: none can be found that way)."""
    if not partial:
        return Q(external_id__iexact=term) | Q(phone=term) | Q(name=term)
    found = None
    if not is_number(term):
        found = Q(name__icontains=term) | Q(external_id__icontains=term)
    if full_phones and (not is_number(term) or len(term) >= PARTIAL_PHONE_MIN_DIGITS):
        phone = Q(phone__contains=term)
        found = phone if found is None else found | phone
    return found


def loan_match(term: str, *, partial: bool) -> Q | None:
    """Loans the term finds by their external id (None: a number is no part of one)."""
    if not partial:
        return Q(external_id__iexact=term)
    return None if is_number(term) else Q(external_id__icontains=term)


def any_of(*keys: QuerySet) -> Q:
    """Rows whose primary key is among `keys` (one-column querysets: `values("pk")`, or a
    foreign key's column), as one UNION, each part read through its own index."""
    parts = [part.order_by() for part in keys]
    if not parts:
        return Q(pk__in=[])
    return Q(pk__in=parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
