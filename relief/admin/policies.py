"""Relief policy versions in the admin: list, edit a draft, copy any version to a new draft,
simulate a draft against past cases, activate it.

The document is edited as JSON in a textarea; every problem is shown next to the field path
it names (relief.rules.parse_policy via relief.services.policies). Active and retired versions
are read-only, for everyone.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date, timedelta
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.errors import DomainError
from loans.selectors import local_today
from relief.models import ReliefPolicy
from relief.services.policies import (
    policy_activate,
    policy_activation_request,
    policy_activation_withdraw,
    policy_draft_create,
    policy_draft_update,
)
from relief.services.simulation import policy_simulate

SIMULATION_DAYS = 90
NOT_JSON = _("not valid JSON: %(problem)s (line %(line)s, column %(column)s)")


def document_text(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"four_eyes.amount_over": "5000.00", "dpd_bands[0].min": 1, …}: paths as the
    validation errors name them, so a difference reads like an error does."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix: value}


def document_differences(document: Any, against: Any) -> list[tuple[str, Any, Any]]:
    """(path, value in `against`, value in `document`) for every path that differs."""
    mine, theirs = flatten(document), flatten(against)
    missing = object()
    rows = []
    for key in sorted(set(mine) | set(theirs)):
        before, after = theirs.get(key, missing), mine.get(key, missing)
        if before != after:
            rows.append(
                (key, "—" if before is missing else before, "—" if after is missing else after)
            )
    return rows


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def path_parts(path: str) -> list[str | int]:
    """ "dpd_bands[2].min" → ["dpd_bands", 2, "min"]."""
    return [int(index) if index else name for name, index in _PATH_PART.findall(path)]


def typed_like(raw: str, original: Any) -> Any:
    """A field's text as the type the document holds there. Whole numbers and null become
    numbers when they read as one; anything else stays text, and the policy check names
    the problem ("must be a whole number, got text …") instead of this guessing."""
    raw = raw.strip()
    if isinstance(original, bool):
        return raw.lower() in ("true", "1", "yes", "on")
    if isinstance(original, int) or original is None:
        if raw in ("", "null"):
            return None
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def document_from_fields(document: Any, posted) -> tuple[Any, dict[str, str]]:
    """The document with each leaf replaced by the posted `field:<path>` value, and the
    posted texts by path (to show them again if the check refuses them)."""
    result = copy.deepcopy(document)
    texts: dict[str, str] = {}
    for field_path, original in flatten(document).items():
        key = f"field:{field_path}"
        if key not in posted:
            continue
        texts[field_path] = posted[key]
        *parents, last = path_parts(field_path)
        target = result
        for part in parents:
            target = target[part]
        target[last] = typed_like(posted[key], original)
    return result, texts


def field_text(value: Any) -> str:
    return "" if value is None else str(value)


def simulation_table(result) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of a simulation result, whatever its row type (dicts or sequences)."""
    rows_of = getattr(result, "as_rows", None) or getattr(result, "rows", None)
    rows = list(rows_of()) if callable(rows_of) else []
    if not rows:
        return [], []
    if isinstance(rows[0], dict):
        keys = list(rows[0].keys())
        columns = [str(key).replace("_", " ") for key in keys]
        return columns, [[row.get(key, "") for key in keys] for row in rows]
    return [], [list(row) for row in rows]


@admin.register(ReliefPolicy)
class ReliefPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "status",
        "note_short",
        "created_by",
        "created_at",
        "activated_by",
        "activated_at",
    )
    list_display_links = ("version",)
    list_filter = ("status",)
    list_select_related = ("created_by", "activated_by", "activation_requested_by")
    ordering = ("-version",)
    page_template = "admin/relief/reliefpolicy/policy.html"
    new_draft_template = "admin/relief/reliefpolicy/new_draft.html"

    @admin.display(description=_("note"))
    def note_short(self, obj: ReliefPolicy) -> str:
        return Truncator(obj.note).chars(80)

    # Versions are history: applications point at them, so none is ever deleted.
    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != ReliefPolicy.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def can_simulate(self, request) -> bool:
        return super().has_change_permission(request)

    def can_activate(self, request, policy: ReliefPolicy) -> bool:
        return self.has_change_permission(request, policy) and permissions.can_activate_policy(
            request.user
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
            url("<int:object_id>/copy/", self.copy_view, "copy"),
            url("<int:object_id>/simulate/", self.simulate_view, "simulate"),
            url("<int:object_id>/activate/", self.activate_view, "activate"),
            *super().get_urls(),
        ]

    def policy_url(self, policy_id: int, name: str = "change") -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=[policy_id],
            current_app=self.admin_site.name,
        )

    # --- a new draft ---

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        versions = ReliefPolicy.objects.order_by("-version")
        if request.method == "POST":
            based_on = versions.filter(pk=request.POST.get("based_on") or None).first()
            return self.create_draft(request, based_on, request.POST.get("note", ""))
        active = versions.filter(status=ReliefPolicy.Status.ACTIVE).first()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("New draft policy"),
            "opts": self.opts,
            "versions": versions,
            "selected": active.pk if active else None,
        }
        return TemplateResponse(request, self.new_draft_template, context)

    def copy_view(self, request, object_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        source = get_object_or_404(ReliefPolicy, pk=object_id)
        return self.create_draft(request, source, request.POST.get("note", ""))

    def create_draft(self, request, based_on: ReliefPolicy | None, note: str):
        try:
            draft = policy_draft_create(
                based_on=based_on, document=None, created_by=request.user, note=note
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(
                self.policy_url(based_on.pk)
                if based_on
                else reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        self.log_addition(request, draft, [{"added": {}}])
        if based_on:
            message = gettext("Draft v%(version)s created from v%(source)s.") % {
                "version": draft.version,
                "source": based_on.version,
            }
        else:
            message = gettext("Draft v%(version)s created from the active policy.") % {
                "version": draft.version
            }
        messages.success(request, message)
        return HttpResponseRedirect(self.policy_url(draft.pk))

    # --- the policy page: read, edit a draft ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        policy = self.get_object(request, unquote(object_id))
        if policy is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, policy):
            raise PermissionDenied
        if request.method == "POST":
            return self.save_draft(request, policy)
        return self.render_policy(request, policy)

    def save_draft(self, request, policy: ReliefPolicy):
        """Save from the field editor (`mode=fields`) or the JSON text (`mode=json`)."""
        if not self.has_change_permission(request, policy):
            raise PermissionDenied
        note = request.POST.get("note", "")
        mode = "fields" if request.POST.get("mode") == "fields" else "json"
        texts: dict[str, str] | None = None
        if mode == "fields":
            document, texts = document_from_fields(policy.document, request.POST)
            text = document_text(document)
        else:
            text = request.POST.get("document", "")
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                problem = NOT_JSON % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno}
                messages.error(request, gettext("The document is not valid JSON."))
                return self.render_policy(
                    request,
                    policy,
                    text=text,
                    note=note,
                    errors={"document": [problem]},
                    mode=mode,
                    status=400,
                )
        try:
            policy_draft_update(policy=policy, document=document, note=note, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            policy.refresh_from_db()
            return self.render_policy(
                request,
                policy,
                text=text,
                note=note,
                errors=exc.fields,
                field_texts=texts,
                mode=mode,
                status=exc.status,
            )
        self.log_change(request, policy, [{"changed": {"fields": ["document", "note"]}}])
        messages.success(
            request, gettext("Draft v%(version)s saved.") % {"version": policy.version}
        )
        return HttpResponseRedirect(self.policy_url(policy.pk))

    def render_policy(
        self,
        request,
        policy: ReliefPolicy,
        *,
        text: str | None = None,
        note: str | None = None,
        errors: dict[str, list[str]] | None = None,
        field_texts: dict[str, str] | None = None,
        mode: str = "fields",
        simulation: dict[str, Any] | None = None,
        status: int = 200,
    ):
        active = ReliefPolicy.objects.filter(status=ReliefPolicy.Status.ACTIVE).first()
        editable = self.has_change_permission(request, policy)
        errors = errors or {}
        field_texts = field_texts or {}
        fields = [
            (field_path, field_texts.get(field_path, field_text(value)), errors.get(field_path, []))
            for field_path, value in flatten(policy.document).items()
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Relief policy v%(version)s") % {"version": policy.version},
            "opts": self.opts,
            "policy": policy,
            "original": policy,
            "active": active,
            "editable": editable,
            "document_text": text if text is not None else document_text(policy.document),
            "note": note if note is not None else policy.note,
            "errors": sorted(errors.items()),
            "fields": fields,
            "mode": mode,
            "differences": document_differences(policy.document, active.document)
            if active and active.pk != policy.pk
            else [],
            "can_copy": self.has_add_permission(request),
            "can_simulate": self.can_simulate(request),
            "can_activate": self.can_activate(request, policy),
            "simulation": simulation,
            "simulation_since": (local_today() - timedelta(days=SIMULATION_DAYS)).isoformat(),
        }
        return TemplateResponse(request, self.page_template, context, status=status)

    # --- simulation ---

    def simulate_view(self, request, object_id: int):
        policy = get_object_or_404(ReliefPolicy, pk=object_id)
        if not (self.has_view_or_change_permission(request, policy) and self.can_simulate(request)):
            raise PermissionDenied
        since = local_today() - timedelta(days=SIMULATION_DAYS)
        if request.GET.get("since"):
            try:
                since = date.fromisoformat(request.GET["since"])
            except ValueError:
                messages.error(request, gettext("The date must look like 2025-01-31."))
        simulation = self.simulate(request, policy, since)
        return self.render_policy(request, policy, simulation=simulation)

    def simulate(self, request, policy: ReliefPolicy, since: date) -> dict[str, Any] | None:
        try:
            result = policy_simulate(version=policy.version, since=since)
        except (DomainError, ReliefPolicy.DoesNotExist) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return None
        columns, rows = simulation_table(result)
        text = result.text() if callable(getattr(result, "text", None)) else ""
        return {"since": since, "columns": columns, "rows": rows, "text": text}

    # --- activation ---

    def activate_view(self, request, object_id: int):
        """Four eyes: the first policy admin requests, a different one confirms; "withdraw"
        takes a pending request back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        policy = get_object_or_404(ReliefPolicy, pk=object_id)
        if not super().has_change_permission(request, policy):
            raise PermissionDenied
        version = {"version": policy.version}
        try:
            if "withdraw" in request.POST:
                policy_activation_withdraw(policy=policy, user=request.user)
                done = gettext("The activation request of v%(version)s was withdrawn.")
            elif policy.activation_requested_by_id is None:
                policy_activation_request(policy=policy, user=request.user)
                done = gettext(
                    "Activation of v%(version)s requested: another policy admin must confirm it."
                )
            else:
                activated = policy_activate(policy=policy, user=request.user)
                self.log_change(request, activated, [{"changed": {"fields": ["status"]}}])
                done = gettext("v%(version)s is now the active policy; new applications use it.")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done % version)
        return HttpResponseRedirect(self.policy_url(policy.pk))
