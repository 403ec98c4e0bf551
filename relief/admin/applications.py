"""The review queue and the case page.

The queue is the ReliefApplication changelist: by default the undecided cases assigned to the
reviewer or to nobody, highest priority first, then the earliest decision deadline.

The case page replaces the change form: it shows the loan, the history, the quote's reasons,
the evidence, the borrower's earlier applications and the timeline, and a decision panel whose
forms post to small views that call relief.services with the version the page was rendered
with. A refusal (DomainError, ConflictError) is an error message on the page; nothing changes.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from loans import selectors as loan_selectors
from loans.calculations import ZERO
from loans.models import Installment, Loan, mask_phone
from relief import presentation, rules, selectors
from relief.models import (
    UNDECIDED_STATUSES,
    ActorKind,
    ApplicationEvent,
    ApplicationStatus,
    Evidence,
    RejectionReason,
    ReliefApplication,
)
from relief.services import (
    relief_application_approve,
    relief_application_assign,
    relief_application_reject,
    relief_application_request_info,
    relief_application_second_approve,
    relief_application_second_return,
    relief_application_verify_evidence,
)
from relief.services.review import REVIEWER_GROUP, SENIOR_GROUP, is_in_group, policy_of
from relief.services.transitions import allowed_actions

# Cases whose decision clock runs (needs_info waits for the borrower; submitted for triage).
SLA_RUNNING = (ApplicationStatus.IN_REVIEW, ApplicationStatus.PENDING_SECOND_APPROVAL)
BUCKETS = ("M0", "M1", "M2", "M3", "M4+")

VERSION_MISSING = _("The page was missing its version. Reload the case and try again.")
UNKNOWN_ACTION = _("Unknown action.")
NOT_ASSIGNABLE = _("#%(id)s is assigned to %(user)s: use “Assign to a reviewer” to take it over.")


# --- masking and small formats ----------------------------------------------------------------


def mask_name(name: str) -> str:
    """王* / A****: the first character and stars, enough to tell cases apart, not to identify."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * min(max(len(name) - 1, 1), 4)


def masked_borrower(borrower) -> str:
    return f"{mask_name(borrower.name)} {mask_phone(borrower.phone)}".strip()


def duration_text(delta: timedelta) -> str:
    """2d 4h, 3h 20m, 12m: how long, to the minute, at most two units."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def is_reviewer(user) -> bool:
    return is_in_group(user, REVIEWER_GROUP) or is_in_group(user, SENIOR_GROUP)


def reviewers():
    """People a case can be assigned to: active members of the reviewer groups."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=(REVIEWER_GROUP, SENIOR_GROUP))
        .distinct()
        .order_by("username")
    )


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
            senior = is_in_group(request.user, SENIOR_GROUP)
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
        self.fields["assignee"].queryset = reviewers()


# --- the admin --------------------------------------------------------------------------------


@admin.register(ReliefApplication)
class ReliefApplicationAdmin(admin.ModelAdmin):
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
        "policy_version",
    )
    search_fields = ("loan__external_id", "borrower__phone")
    search_help_text = _("Application number, loan external id or borrower phone")
    list_select_related = ("borrower", "loan", "assigned_to")
    ordering = ("-priority", F("sla_due").asc(nulls_last=True), "created_at", "id")
    actions = ("claim", "assign")
    list_per_page = 50
    case_template = "admin/relief/reliefapplication/case.html"
    assign_template = "admin/relief/reliefapplication/assign.html"

    # Applications come from borrowers and are never deleted (the event log refers to them).
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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
                '<strong class="sla-breached" style="color:#ba2121">⚠ {} {}</strong>',
                gettext("breached by"),
                duration_text(left),
            )
        return duration_text(left)

    # --- search: the application number, the loan, the phone ---

    def get_search_results(self, request, queryset, search_term):
        """Search: "#123" is application 123; a bare number is an application, a loan id or
        (from four digits on) part of a phone; anything else is part of a loan id or phone."""
        term = search_term.strip()
        if not term:
            return queryset, False
        number = term.removeprefix("#")
        is_number = number.isdigit() and len(number) <= 18
        if term.startswith("#"):
            return queryset.filter(pk=int(number)) if is_number else queryset.none(), False
        if is_number:
            matches = Q(pk=int(number)) | Q(loan__external_id__iexact=term)
            if len(term) >= 4:
                matches |= Q(borrower__phone__contains=term)
        else:
            matches = Q(loan__external_id__icontains=term) | Q(borrower__phone__contains=term)
        return queryset.filter(matches), False

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

    def case_url(self, application_id: int) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[application_id],
            current_app=self.admin_site.name,
        )

    # --- the case page ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method not in ("GET", "HEAD"):
            # Decisions post to their own views; the case itself is never edited as a form.
            return HttpResponseNotAllowed(["GET", "HEAD"])
        application = self.get_object(request, unquote(object_id))
        if application is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, application):
            raise PermissionDenied
        return self.render_case(request, application)

    def render_case(self, request, application: ReliefApplication, *, posted=None, status=200):
        context = {
            **self.admin_site.each_context(request),
            **self.case_context(request, application),
            "posted": posted or {},
        }
        return TemplateResponse(request, self.case_template, context, status=status)

    def case_context(self, request, application: ReliefApplication) -> dict:
        user = request.user
        today = loan_selectors.local_today()
        loan = (
            Loan.objects.select_related("product", "borrower")
            .prefetch_related(
                Prefetch("installments", queryset=Installment.objects.order_by("seq"))
            )
            .get(pk=application.loan_id)
        )
        state = loan_selectors.loan_state(loan, today=today)
        history = loan_selectors.borrower_history(loan.borrower, today=today)
        quote = selectors.quote_for_reader(application.review_quote or application.quote)
        policy = policy_of(application)
        penalty_now = state.penalty_outstanding
        reviewer = is_reviewer(user)
        can_decide = reviewer and self.has_change_permission(request, application)
        allowed = allowed_actions(application.status)
        undecided = application.status in UNDECIDED_STATUSES
        evidence = list(
            application.evidence.select_related("verified_by").order_by("uploaded_at", "id")
        )
        return {
            "title": gettext("Relief application #%(id)s") % {"id": application.pk},
            "opts": self.opts,
            "application": application,
            "original": application,
            "borrower_masked": masked_borrower(application.borrower),
            "loan": loan,
            "loan_url": self.related_url(request, loan),
            "state": state,
            "history": history,
            "prior_reliefs": selectors.prior_reliefs_12m(
                application.borrower_id, today=today, exclude_id=application.pk
            ),
            "quote": quote,
            "quote_is_review": application.review_quote is not None,
            "blockers": [
                presentation.blocker_label(code) for code in quote.get("auto_approval_blockers", [])
            ],
            "submission_quote_summary": selectors.quote_for_reader(application.quote)["summary"],
            "evidence": evidence,
            "evidence_visible": reviewer,
            "earlier": [
                (earlier, self.case_url(earlier.pk))
                for earlier in ReliefApplication.objects.filter(borrower_id=application.borrower_id)
                .exclude(pk=application.pk)
                .select_related("loan")
                .order_by("-created_at", "-id")[:20]
            ],
            "events": [
                (event, self.actor_text(event))
                for event in ApplicationEvent.objects.filter(application=application)
                .select_related("actor")
                .order_by("at", "id")
            ],
            "sla_left": self.time_left(application),
            # The decision panel.
            "can_decide": can_decide,
            "can_review": can_decide and "approve" in allowed,
            "can_second": can_decide
            and "second_approve" in allowed
            and is_in_group(user, SENIOR_GROUP),
            "is_first_approver": application.first_approver_id == user.pk,
            "can_verify": can_decide and undecided,
            "can_assign": can_decide and undecided,
            "reviewers": reviewers() if can_decide and undecided else [],
            "penalty_now": penalty_now,
            "penalty_fen": int((penalty_now * 100).to_integral_value()),
            "suggested_amount_now": rules.relief_amount(penalty_now, application.suggested_percent)
            if penalty_now > 0
            else ZERO,
            "four_eyes": policy.four_eyes,
            "four_eyes_amount_fen": int(policy.four_eyes.amount_over * 100),
            "rejection_reasons": RejectionReason.choices,
            "decide_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_decide",
                args=[application.pk],
                current_app=self.admin_site.name,
            ),
            "assign_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_assign",
                args=[application.pk],
                current_app=self.admin_site.name,
            ),
        }

    def related_url(self, request, obj) -> str | None:
        """The admin page of a related object, when the user may see it."""
        model_admin = self.admin_site._registry.get(type(obj))
        if model_admin is None or not model_admin.has_view_or_change_permission(request, obj):
            return None
        opts = obj._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )

    @staticmethod
    def actor_text(event: ApplicationEvent) -> str:
        if event.actor_kind == ActorKind.REVIEWER and event.actor is not None:
            return event.actor.get_username()
        return event.get_actor_kind_display()

    # --- decisions ---

    def decide_view(self, request, object_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        action = request.POST.get("action", "")
        decide = DECISIONS.get(action)
        version = posted_version(request)
        posted = {key: request.POST.get(key, "") for key in ("percent", "reason_code", "note")}
        posted["action"] = action
        try:
            if decide is None:
                raise DomainError(UNKNOWN_ACTION)
            if version is None:
                raise DomainError(VERSION_MISSING)
            decided = decide(request, application, version)
        except DomainError as exc:
            messages.error(request, exc.message)
            application.refresh_from_db()
            return self.render_case(request, application, posted=posted, status=exc.status)
        messages.success(request, decision_message(action, decided))
        return HttpResponseRedirect(self.case_url(application.pk))

    def assign_view(self, request, object_id: int):
        """Claim the case (no assignee given) or hand it to another reviewer."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        assignee = request.user
        if request.POST.get("assignee"):
            form = AssignForm(request.POST)
            if not form.is_valid():
                messages.error(request, gettext("Choose a reviewer."))
                return HttpResponseRedirect(self.case_url(application.pk))
            assignee = form.cleaned_data["assignee"]
        version = posted_version(request)
        try:
            if version is None:
                raise DomainError(VERSION_MISSING)
            relief_application_assign(
                application_id=application.pk,
                reviewer=request.user,
                assignee=assignee,
                version=version,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, gettext("Assigned to %(user)s.") % {"user": assignee.get_username()}
            )
        return HttpResponseRedirect(self.case_url(application.pk))

    def verify_evidence_view(self, request, object_id: int, evidence_id: int):
        """Mark a file verified (or not); the service re-scores the case."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        evidence = get_object_or_404(Evidence, pk=evidence_id, application=application)
        verified = request.POST.get("verified") == "1"
        version = posted_version(request)
        try:
            if version is None:
                raise DomainError(VERSION_MISSING)
            rescored = relief_application_verify_evidence(
                evidence_id=evidence.pk, reviewer=request.user, verified=verified, version=version
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("%(file)s marked %(state)s; the suggestion is now %(percent)s%%.")
                % {
                    "file": evidence.original_name,
                    "state": gettext("verified") if verified else gettext("not verified"),
                    "percent": rescored.suggested_percent,
                },
            )
        return HttpResponseRedirect(self.case_url(application.pk))

    def evidence_file_view(self, request, object_id: int, evidence_id: int):
        """An evidence file for a reviewer: images inline (for the preview), PDFs as a
        download. Served with nosniff and a sandbox, never cached."""
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not (
            self.has_view_or_change_permission(request, application) and is_reviewer(request.user)
        ):
            raise PermissionDenied
        evidence = get_object_or_404(Evidence, pk=evidence_id, application=application)
        try:
            handle = evidence.file.open("rb")
        except (OSError, ValueError):
            raise Http404 from None
        inline = evidence.is_image and "download" not in request.GET
        response = FileResponse(
            handle,
            as_attachment=not inline,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


def posted_version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _approve(request, application, version):
    return relief_application_approve(
        application_id=application.pk,
        reviewer=request.user,
        percent=request.POST.get("percent", ""),
        note=request.POST.get("note", "").strip(),
        version=version,
    )


def _reject(request, application, version):
    return relief_application_reject(
        application_id=application.pk,
        reviewer=request.user,
        reason_code=request.POST.get("reason_code", ""),
        note=request.POST.get("note", "").strip(),
        version=version,
    )


def _request_info(request, application, version):
    return relief_application_request_info(
        application_id=application.pk,
        reviewer=request.user,
        question=request.POST.get("note", ""),
        version=version,
    )


def _second_approve(request, application, version):
    return relief_application_second_approve(
        application_id=application.pk,
        reviewer=request.user,
        note=request.POST.get("note", "").strip(),
        version=version,
    )


def _second_return(request, application, version):
    return relief_application_second_return(
        application_id=application.pk,
        reviewer=request.user,
        note=request.POST.get("note", "").strip(),
        version=version,
    )


DECISIONS = {
    "approve": _approve,
    "reject": _reject,
    "request_info": _request_info,
    "second_approve": _second_approve,
    "second_return": _second_return,
}


def decision_message(action: str, application: ReliefApplication) -> str:
    if application.status == ApplicationStatus.PENDING_SECOND_APPROVAL:
        return gettext(
            "Approved at %(percent)s%% (%(amount)s). This decision is beyond the policy's "
            "limits: another senior reviewer must give the second approval."
        ) % {"percent": application.decided_percent, "amount": application.decided_amount}
    if application.status == ApplicationStatus.APPROVED:
        return gettext("Approved at %(percent)s%%: %(amount)s is offered until %(deadline)s.") % {
            "percent": application.decided_percent,
            "amount": application.decided_amount,
            "deadline": application.offer_deadline,
        }
    if application.status == ApplicationStatus.REJECTED:
        return gettext("Rejected; the borrower is told the reason.")
    if application.status == ApplicationStatus.NEEDS_INFO:
        return gettext("The question was sent to the borrower.")
    if action == "second_return":
        return gettext("Returned to review.")
    return gettext("Done.")


__all__ = ["ReliefApplicationAdmin", "mask_name", "masked_borrower"]
