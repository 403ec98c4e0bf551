"""Loans in the admin: visible to staff, money read-only (money changes only through services).

Nobody deletes a borrower, product, loan, installment or repayment here; reviewers (view
permissions only, see relief/migrations/0004_roles.py) edit nothing.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.admin_lists import BigListAdmin
from loans import search
from loans.models import Borrower, Installment, Loan, LoanProduct, Repayment

INSTALLMENT_FIELDS = (
    "seq",
    "kind",
    "due_date",
    "grace_ends_on",
    "principal_due",
    "interest_due",
    "principal_paid",
    "interest_paid",
    "penalty_accrued",
    "penalty_held",
    "penalty_paid",
    "penalty_waived",
    "daily_penalty",
    "accrued_through",
    "paid_off_on",
    "penalty_frozen",
    "frozen_from",
    "frozen_until",
    "principal_moved",
    "interest_moved",
    "penalty_moved",
    "accrues_penalty",
)


class ReadOnlyMoneyMixin:
    """Nobody edits balances by hand; nobody deletes money records."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoanProduct)
class LoanProductAdmin(ReadOnlyMoneyMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "name_zh_hans",
        "annual_rate",
        "penalty_markup",
        "penalty_rate_cap",
        "grace_days",
        "day_count_basis",
    )
    search_fields = ("code", "name", "name_zh_hans")


def phone_search_fields(request, fields) -> tuple[str, ...]:
    """The admin's search fields, the phone searched by the whole number only ("=") for those
    who see it masked (`core.permissions.can_see_full_phones`)."""
    if permissions.can_see_full_phones(request.user):
        return tuple(fields)
    return tuple(f"={field}" if field.endswith("phone") else field for field in fields)


@admin.register(Borrower)
class BorrowerAdmin(ReadOnlyMoneyMixin, BigListAdmin):
    list_display = ("external_id", "name", "masked_phone", "language", "notification_channel")
    # Searched by `get_search_results` (loans.search); listed for the search box to show.
    search_fields = ("external_id", "name", "phone")
    search_help_text = _("Borrower or loan external id, phone or name")
    readonly_fields = ("user", "external_id", "national_id_masked", "masked_phone", "created_at")

    def get_search_results(self, request, queryset, search_term):
        """A borrower or loan external id, a whole phone or a whole name through indexed
        lookups first; only when none matches, part of a name, an id or (for those who see
        phones in full) a phone."""
        term = search_term.strip()
        if not term:
            return queryset, False
        full_phones = permissions.can_see_full_phones(request.user)

        def matches(partial: bool):
            keys = []
            borrowers = search.borrower_match(term, full_phones=full_phones, partial=partial)
            if borrowers is not None:
                keys.append(Borrower.objects.filter(borrowers).values("pk"))
            loans = search.loan_match(term, partial=partial)
            if loans is not None:
                keys.append(Loan.objects.filter(loans).values("borrower_id"))
            return search.any_of(*keys)

        exact = queryset.filter(matches(partial=False))
        if exact.exists():
            return exact, False
        return queryset.filter(matches(partial=True)), False

    def get_fields(self, request, obj=None):
        # Those who only read (reviewers) see the phone masked, as everywhere in the admin;
        # the full number is for the people who maintain it.
        fields = super().get_fields(request, obj)
        hidden = "masked_phone" if self.has_change_permission(request, obj) else "phone"
        return [field for field in fields if field != hidden]


class InstallmentInline(admin.TabularInline):
    model = Installment
    fields = INSTALLMENT_FIELDS
    readonly_fields = INSTALLMENT_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RepaymentInline(admin.TabularInline):
    model = Repayment
    fields = ("paid_on", "amount", "reference", "allocation", "waiver_posted")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(ReadOnlyMoneyMixin, BigListAdmin):
    list_display = ("external_id", "borrower", "product", "principal", "status", "disbursed_on")
    list_filter = ("status", "product", "legal_proceedings", "fraud_flag")
    search_fields = ("external_id", "borrower__external_id", "borrower__phone")
    list_select_related = ("borrower", "product")
    readonly_fields = (
        "external_id",
        "borrower",
        "product",
        "principal",
        "disbursed_on",
        "annual_rate",
        "penalty_rate",
        "grace_days",
        "day_count_basis",
        "created_at",
        "updated_at",
    )
    inlines = [InstallmentInline, RepaymentInline]

    def get_search_fields(self, request):
        return phone_search_fields(request, super().get_search_fields(request))


@admin.register(Installment)
class InstallmentAdmin(ReadOnlyMoneyMixin, BigListAdmin):
    list_display = ("loan", "seq", "due_date", "principal_due", "interest_due", "penalty_accrued")
    list_select_related = ("loan",)
    search_fields = ("loan__external_id",)
    readonly_fields = ("loan", *INSTALLMENT_FIELDS)

    def has_add_permission(self, request):
        return False


@admin.register(Repayment)
class RepaymentAdmin(ReadOnlyMoneyMixin, BigListAdmin):
    list_display = ("reference", "loan", "amount", "paid_on", "waiver_posted", "created_at")
    list_select_related = ("loan",)
    search_fields = ("reference", "loan__external_id")
    readonly_fields = (
        "loan",
        "amount",
        "paid_on",
        "reference",
        "allocation",
        "waiver_posted",
        "recorded_by",
        "created_at",
    )

    def has_add_permission(self, request):
        return False
