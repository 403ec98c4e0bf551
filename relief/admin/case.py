"""The case page: one relief application as a reviewer works it.

It replaces the change form: the loan, the history, the quote's reasons, the evidence, the
borrower's earlier applications and the timeline (relief.review_selectors.review_case), and a
decision panel offering what relief.services.review_capabilities allows. Its forms post to
small views that call relief.services with the version the page was rendered with; a refusal
(DomainError, ConflictError) is an error message on the page, and nothing changes.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.admin_lists import BigListAdmin
from core.errors import DomainError
from relief import review_selectors
from relief.admin.queue import AssignForm, masked_borrower
from relief.models import ActorKind, ApplicationEvent, ApplicationStatus, Evidence
from relief.models import ReliefApplication as Application
from relief.presentation import arrangement_term_label, status_label
from relief.services import (
    relief_application_assign,
    relief_application_decide,
    relief_application_verify_evidence,
    review_capabilities,
)

VERSION_MISSING = _("The page was missing its version. Reload the case and try again.")
# What the admin itself says of a missing object (its own wording, so the message reads alike).
NOT_FOUND = _("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")


def shallow_dict(data) -> dict:
    """A dataclass's fields as a dict, the values as they are (asdict would copy them)."""
    return {field.name: getattr(data, field.name) for field in fields(data)}


def posted_version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


class CasePageAdmin(BigListAdmin):
    """The case page and its forms' views, for ReliefApplicationAdmin."""

    case_template = "admin/relief/reliefapplication/case.html"

    def case_url(self, application_id: int, name: str = "change") -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=[application_id],
            current_app=self.admin_site.name,
        )

    # --- the page ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method not in ("GET", "HEAD"):
            # Decisions post to their own views; the case itself is never edited as a form.
            return HttpResponseNotAllowed(["GET", "HEAD"])
        application = self.get_object(request, unquote(object_id))
        if application is None:
            # As the admin answers for any missing object: back to the index, with a warning.
            self.message_user(
                request,
                NOT_FOUND % {"name": self.opts.verbose_name, "key": object_id},
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))
        if not self.has_view_or_change_permission(request, application):
            raise PermissionDenied
        return self.render_case(request, application)

    def render_case(self, request, application: Application, *, posted=None, status=200):
        context = {
            **self.admin_site.each_context(request),
            **self.case_context(request, application),
            "posted": posted or {},
        }
        return TemplateResponse(request, self.case_template, context, status=status)

    def case_context(self, request, application: Application) -> dict:
        case = review_selectors.review_case(application)
        can = review_capabilities(application=application, user=request.user)
        return {
            **shallow_dict(case),
            **asdict(can),
            "title": gettext("Relief application #%(id)s") % {"id": application.pk},
            "opts": self.opts,
            "application": application,
            "original": application,
            "borrower_masked": masked_borrower(application.borrower),
            "loan_url": self.related_url(request, case.loan),
            "earlier": [(earlier, self.case_url(earlier.pk)) for earlier in case.earlier],
            "events": [
                (
                    event,
                    actor_text(event),
                    status_label(event.from_status),
                    status_label(event.to_status),
                )
                for event in case.events
            ],
            "sla_left": self.time_left(application),
            "reviewers": review_selectors.assignable_reviewers() if can.can_assign else [],
            "decide_url": self.case_url(application.pk, "decide"),
            "assign_url": self.case_url(application.pk, "assign"),
        }

    def related_url(self, request, obj) -> str | None:
        """The admin page of a related object, when the user may see it."""
        model = type(obj)
        if not self.admin_site.is_registered(model):
            return None
        model_admin = self.admin_site.get_model_admin(model)
        if not model_admin.has_view_or_change_permission(request, obj):
            return None
        opts = obj._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )

    # --- the forms' views ---

    def case_for_change(self, request, object_id: int) -> Application:
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        return application

    def decide_view(self, request, object_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = self.case_for_change(request, object_id)
        posted = {key: request.POST.get(key, "") for key in ("action", "percent", "reason_code")}
        posted["note"] = request.POST.get("note", "")
        posted["arrangement"] = request.POST.get("arrangement", "")
        version = posted_version(request)
        try:
            if version is None:
                raise DomainError(VERSION_MISSING)
            decided = relief_application_decide(
                application_id=application.pk,
                reviewer=request.user,
                version=version,
                **{**posted, "arrangement": option_posted(posted["arrangement"])},
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            application.refresh_from_db()
            return self.render_case(request, application, posted=posted, status=exc.status)
        messages.success(request, decision_message(posted["action"], decided))
        return HttpResponseRedirect(self.case_url(application.pk))

    def assign_view(self, request, object_id: int):
        """Claim the case (no assignee given) or hand it to another reviewer."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = self.case_for_change(request, object_id)
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
        application = self.case_for_change(request, object_id)
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
            self.has_view_or_change_permission(request, application)
            and permissions.can_decide_cases(request.user)
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


def option_posted(value: str) -> dict | str | None:
    """The option chosen on the case page ("plan:12", "deferral:1") as the dispatcher takes it;
    None when none was posted, the text as it is when it is not an option (refused there)."""
    kind, _, term = (value or "").partition(":")
    if not kind:
        return None
    key = {"plan": "periods", "deferral": "months"}.get(kind)
    if key is None or not term.isdigit():
        return value
    return {"kind": kind, key: int(term)}


def actor_text(event: ApplicationEvent) -> str:
    if event.actor_kind == ActorKind.REVIEWER and event.actor is not None:
        return event.actor.get_username()
    return event.get_actor_kind_display()


def decision_message(action: str, application: Application) -> str:
    if application.arrangement_id is not None and application.status in (
        ApplicationStatus.PENDING_SECOND_APPROVAL,
        ApplicationStatus.APPROVED,
    ):
        option = arrangement_term_label(application.arrangement.kind, application.arrangement.term)
        if application.status == ApplicationStatus.PENDING_SECOND_APPROVAL:
            return gettext(
                "Approved: %(option)s. This decision is beyond the policy's limits: another "
                "senior reviewer must give the second approval."
            ) % {"option": option}
        return gettext("Approved: %(option)s, offered until %(deadline)s.") % {
            "option": option,
            "deadline": application.offer_deadline,
        }
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
