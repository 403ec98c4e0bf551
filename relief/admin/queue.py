"""The review queue's parts: the masked borrower, durations, the filters and the assign form.

The queue is the ReliefApplication changelist (relief/admin/applications.py): by default the
undecided cases assigned to the reviewer or to nobody, highest priority first, then the
earliest decision deadline.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import permissions
from loans.models import Borrower, Loan, mask_name, mask_phone
from loans.search import any_of, borrower_match, is_number, loan_match
from relief import selectors
from relief.models import UNDECIDED_STATUSES, ApplicationStatus, ReliefApplication, ReliefPolicy
from relief.review_selectors import assignable_reviewers

# Cases whose decision clock runs (needs_info waits for the borrower; submitted for triage).
SLA_RUNNING = (ApplicationStatus.IN_REVIEW, ApplicationStatus.PENDING_SECOND_APPROVAL)
BUCKETS = ("M0", "M1", "M2", "M3", "M4+")


# --- masking and small formats ----------------------------------------------------------------


def masked_borrower(borrower) -> str:
    return f"{mask_name(borrower.name)} {mask_phone(borrower.phone)}".strip()


def duration_text(delta: timedelta) -> str:
    """2d 4h, 3h 20m, 12m (2天4小时 in Chinese): how long, to the minute, at most two units."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return gettext("%(days)dd %(hours)dh") % {"days": days, "hours": hours}
    if hours:
        return gettext("%(hours)dh %(minutes)dm") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)dm") % {"minutes": minutes}


# --- search ---------------------------------------------------------------------------------


def case_search(term: str, *, full_phones: bool, partial: bool) -> Q:
    """The cases a search box term finds (`loans.search`): exact (`partial` False), an
    application number, a loan's or borrower's external id (any case), a whole phone or a
    whole borrower name; partial, part of a loan id, a borrower's name or id and, for those
    who see full phones, of a phone. One UNION of the matches, each through an index."""
    cases = []
    loans = loan_match(term, partial=partial)
    if loans is not None:
        cases.append(ReliefApplication.objects.filter(loan__in=Loan.objects.filter(loans)))
    borrowers = borrower_match(term, full_phones=full_phones, partial=partial)
    if borrowers is not None:
        cases.append(
            ReliefApplication.objects.filter(borrower__in=Borrower.objects.filter(borrowers))
        )
    if is_number(term) and not partial:
        cases.append(ReliefApplication.objects.filter(pk=int(term)))
    return any_of(*(found.values("pk") for found in cases))


# --- queue filters ----------------------------------------------------------------------------


class DefaultedFilter(admin.SimpleListFilter):
    """A filter with a default applied when the URL names no choice ("all" shows everything).

    While searching, the default is not applied: a reviewer looking for case #123 should find
    it whoever holds it and whatever its status.
    """

    default: str = "all"

    def __init__(self, request, params, model, model_admin):
        self.searching = bool(request.GET.get(SEARCH_VAR, "").strip())
        super().__init__(request, params, model, model_admin)

    def value(self):
        value = super().value()
        if value is None:
            return "all" if self.searching else self.default
        return value

    def choices(self, changelist):
        current = self.value()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class QueueStatusFilter(DefaultedFilter):
    title = _("status")
    parameter_name = "queue"
    default = "undecided"

    def lookups(self, request, model_admin):
        return [
            ("undecided", _("Open (undecided)")),
            *ApplicationStatus.choices,
            ("all", _("All")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "undecided":
            return queryset.filter(status__in=UNDECIDED_STATUSES)
        if value in ApplicationStatus.values:
            return queryset.filter(status=value)
        return queryset


class AssigneeFilter(DefaultedFilter):
    title = _("assigned to")
    parameter_name = "assigned"
    default = "me_or_nobody"

    def lookups(self, request, model_admin):
        return [
            ("me_or_nobody", _("Me or nobody")),
            ("me", _("Me")),
            ("nobody", _("Nobody")),
            ("all", _("Anyone")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me_or_nobody":
            senior = permissions.can_give_second_approval(request.user)
            return queryset.filter(selectors.cases_for(request.user, senior=senior))
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class BucketFilter(admin.SimpleListFilter):
    title = _("bucket at submission")
    parameter_name = "bucket"

    def lookups(self, request, model_admin):
        return [(bucket, bucket) for bucket in BUCKETS]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(bucket_at_submission=self.value())
        return queryset


class PolicyVersionFilter(admin.SimpleListFilter):
    """The policy versions from the policies' own small table, not a DISTINCT over every
    application; the URL parameter is the one the field's filter had."""

    title = _("policy version")
    parameter_name = "policy_version__exact"

    def lookups(self, request, model_admin):
        versions = ReliefPolicy.objects.order_by("version").values_list("version", flat=True)
        return [(str(version), str(version)) for version in versions]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(policy_version=int(self.value()))
        return queryset


class SlaBreachedFilter(admin.SimpleListFilter):
    title = _("decision time")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("breached", _("Breached")), ("running", _("Within time"))]

    def queryset(self, request, queryset):
        breached = Q(status__in=SLA_RUNNING, sla_due__lt=timezone.now())
        if self.value() == "breached":
            return queryset.filter(breached)
        if self.value() == "running":
            return queryset.filter(status__in=SLA_RUNNING).exclude(breached)
        return queryset


# --- forms ------------------------------------------------------------------------------------


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, label=_("Reviewer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_reviewers()
