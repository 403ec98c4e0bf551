"""The review queue: the ReliefApplication changelist, its columns, search and actions.

By default it lists the undecided cases assigned to the reviewer or to nobody, highest
priority first, then the earliest decision deadline (the filters are in relief/admin/queue.py).
A case opens on the case page (relief/admin/case.py) instead of a change form.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import F
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.errors import DomainError
from loans.search import is_number
from relief.admin.case import CasePageAdmin
from relief.admin.queue import (
    SLA_RUNNING,
    AssigneeFilter,
    AssignForm,
    BucketFilter,
    PolicyVersionFilter,
    QueueStatusFilter,
    SlaBreachedFilter,
    case_search,
    duration_text,
    mask_name,
    masked_borrower,
)
from relief.models import ApplicationStatus, ReliefApplication
from relief.services import relief_application_assign

NOT_ASSIGNABLE = _("#%(id)s is assigned to %(user)s: use “Assign to a reviewer” to take it over.")


@admin.register(ReliefApplication)
class ReliefApplicationAdmin(CasePageAdmin):
    list_display = (
        "id",
        "borrower_masked",
        "dpd",
        "bucket",
        "reason_label",
        "suggested",
        "relief_amount",
        "time_left",
        "status",
        "assigned_to",
    )
    list_display_links = ("id", "borrower_masked")
    list_filter = (
        QueueStatusFilter,
        BucketFilter,
        "reason",
        SlaBreachedFilter,
        AssigneeFilter,
        PolicyVersionFilter,
    )
    search_fields = ("loan__external_id", "borrower__phone")
    search_help_text = _("Application number, loan or borrower external id, borrower phone or name")
    list_select_related = ("borrower", "loan", "assigned_to")
    ordering = ("-priority", F("sla_due").asc(nulls_last=True), "created_at", "id")
    actions = ("claim", "assign")
    list_per_page = 50
    list_defer = ("quote", "review_quote", "description")
    assign_template = "admin/relief/reliefapplication/assign.html"

    # Applications come from borrowers and are never deleted (the event log refers to them).
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Changing a case means deciding it (the case page, claiming, assigning): the admin asks
    # the same permission as the review API, not the model's change permission.
    def has_change_permission(self, request, obj=None):
        return permissions.can_decide_cases(request.user)

    class Media:
        css = {"all": ["css/admin-relief.css"]}

    # --- columns ---

    @admin.display(description=_("borrower"))
    def borrower_masked(self, obj: ReliefApplication) -> str:
        return masked_borrower(obj.borrower)

    @admin.display(description=_("DPD"), ordering="dpd_at_submission")
    def dpd(self, obj: ReliefApplication) -> int:
        return obj.dpd_at_submission

    @admin.display(description=_("bucket"), ordering="bucket_at_submission")
    def bucket(self, obj: ReliefApplication) -> str:
        return obj.bucket_at_submission

    @admin.display(description=_("reason"), ordering="reason")
    def reason_label(self, obj: ReliefApplication) -> str:
        return obj.get_reason_display()

    @admin.display(description=_("suggested"), ordering="suggested_percent")
    def suggested(self, obj: ReliefApplication) -> str:
        return f"{obj.suggested_percent}%"

    @admin.display(description=_("relief amount"))
    def relief_amount(self, obj: ReliefApplication):
        if obj.decided_amount is not None:
            return obj.decided_amount
        return format_html('<span title="{}">{}</span>', gettext("suggested"), obj.suggested_amount)

    @admin.display(description=_("time left"), ordering="sla_due")
    def time_left(self, obj: ReliefApplication):
        if obj.status == ApplicationStatus.NEEDS_INFO:
            return gettext("waiting for the borrower")
        if obj.status not in SLA_RUNNING or obj.sla_due is None:
            return "—"
        left = obj.sla_due - timezone.now()
        if left.total_seconds() < 0:
            return format_html(
                '<strong class="sla-breached">⚠ {} {}</strong>',
                gettext("breached by"),
                duration_text(left),
            )
        return duration_text(left)

    # --- search: the application number, the loan, the phone ---

    def get_search_results(self, request, queryset, search_term):
        """Search: "#123" is application 123; otherwise `case_search` (relief/admin/queue.py):
        an application number, loan or borrower id, whole phone or name through indexed
        lookups first; only when none matches, part of a name, an id or a phone."""
        term = search_term.strip()
        if not term:
            return queryset, False
        number = term.removeprefix("#")
        if term.startswith("#"):
            if is_number(number):
                return queryset.filter(pk=int(number)), False
            return queryset.none(), False
        full_phones = permissions.can_see_full_phones(request.user)
        exact = queryset.filter(case_search(term, full_phones=full_phones, partial=False))
        if exact.exists():
            return exact, False
        return queryset.filter(case_search(term, full_phones=full_phones, partial=True)), False

    # --- actions ---

    @admin.action(description=_("Claim: assign to me"), permissions=["change"])
    def claim(self, request, queryset):
        self.assign_many(request, queryset, request.user, take_over=False)

    @admin.action(description=_("Assign to a reviewer…"), permissions=["change"])
    def assign(self, request, queryset):
        if "apply" in request.POST:
            form = AssignForm(request.POST)
            if form.is_valid():
                self.assign_many(request, queryset, form.cleaned_data["assignee"], take_over=True)
                return None
        else:
            form = AssignForm()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Assign cases to a reviewer"),
            "opts": self.opts,
            "form": form,
            "applications": queryset.select_related("borrower", "assigned_to"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.assign_template, context)

    def assign_many(self, request, queryset, assignee, *, take_over: bool) -> None:
        done = []
        for application in queryset.select_related("assigned_to"):
            held_by = application.assigned_to
            if held_by and held_by.pk != assignee.pk and not take_over:
                messages.warning(
                    request,
                    NOT_ASSIGNABLE % {"id": application.pk, "user": held_by.get_username()},
                )
                continue
            try:
                # The version read now: a case someone changes meanwhile is left to them.
                relief_application_assign(
                    application_id=application.pk,
                    reviewer=request.user,
                    assignee=assignee,
                    version=application.version,
                )
            except DomainError as exc:
                messages.error(request, f"#{application.pk}: {exc.message}")
            else:
                done.append(f"#{application.pk}")
        if done:
            messages.success(
                request,
                gettext("Assigned to %(user)s: %(cases)s.")
                % {"user": assignee.get_username(), "cases": ", ".join(done)},
            )

    # --- urls ---

    def get_urls(self):
        def url(route: str, view, name: str):
            return path(
                route,
                self.admin_site.admin_view(view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
            )

        return [
            url("<int:object_id>/decide/", self.decide_view, "decide"),
            url("<int:object_id>/assign/", self.assign_view, "assign"),
            url(
                "<int:object_id>/evidence/<int:evidence_id>/verify/",
                self.verify_evidence_view,
                "verify_evidence",
            ),
            url(
                "<int:object_id>/evidence/<int:evidence_id>/file/",
                self.evidence_file_view,
                "evidence_file",
            ),
            *super().get_urls(),
        ]


__all__ = ["ReliefApplicationAdmin", "duration_text", "mask_name", "masked_borrower"]
