"""The ops pages (`/ops/`): the dashboard, exports and their downloads. Ops group only."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import permissions
from core.errors import DomainError
from reports import dashboard as presentation
from reports import dashboard_outcomes, dashboard_prevention, selectors, services
from reports.filters import ReportFilters
from reports.forms import DASHBOARD_MAX_DAYS, ReportFilterForm
from reports.models import Export, ExportFormat, ExportLog
from reports.queries import REPORTS
from reports.responses import download_response

WEB_FORMATS = (ExportFormat.CSV, ExportFormat.XLSX)


def ops_required(view):
    """Signed in (else the login page) and allowed the ops reports (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can_view_ops_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@ops_required
def dashboard(request):
    form = ReportFilterForm(request.GET, max_days=DASHBOARD_MAX_DAYS)
    context = {
        "form": form,
        "reports": REPORTS.values(),
        "formats": WEB_FORMATS,
        "unmasked": permissions.can_export_unmasked(request.user),
        "threshold": services.async_threshold(),
    }
    if form.is_valid():
        data = selectors.dashboard(form.filters())
        context.update(
            filters=form.filters(),
            summary=presentation.summary(data),
            panels=presentation.panels(data) + dashboard_prevention.panels(data),
            outcomes=dashboard_outcomes.outcomes(data),
            few_cases=dashboard_outcomes.few_cases(),
        )
    return render(request, "reports/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@ops_required
def exports(request):
    """GET: the user's background exports. POST: export a report now, or queue it."""
    if request.method == "GET":
        user_exports = list(services.exports_of_user(request.user)[:50])
        response = render(request, "reports/exports.html", {"exports": user_exports})
        if any(e.status in _UNFINISHED for e in user_exports):
            response["Refresh"] = "5"  # progress without JavaScript
        return response
    form = ReportFilterForm(request.POST, formats=WEB_FORMATS)
    back = f"{reverse('ops-dashboard')}?{urlencode(_filter_params(request.POST))}"
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            for error in errors:
                messages.error(request, f"{label}: {error}")
        return redirect(back)
    try:
        result = services.report_export(
            user=request.user,
            report_name=request.POST.get("report", ""),
            filters=form.filters(),
            export_format=form.cleaned_data["format"],
            channel=ExportLog.Channel.WEB,
            language=translation.get_language() or "",
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    if isinstance(result, Export):
        messages.success(
            request,
            _(
                "This export is large, so it is being prepared in the background. You will "
                "get a notification with the download link when it is ready."
            ),
        )
        return redirect("ops-export", export_id=result.pk)
    return download_response(result)


_UNFINISHED = (Export.Status.QUEUED, Export.Status.RUNNING)


def _filter_params(data) -> dict[str, str]:
    return {name: data.get(name, "") for name in ("from", "to", "product") if data.get(name)}


@require_GET
@ops_required
def export_detail(request, export_id: int):
    try:
        export = services.export_of_user(user=request.user, export_id=export_id)
    except DomainError:
        raise Http404 from None
    response = render(
        request,
        "reports/export_detail.html",
        {
            "export": export,
            "report": REPORTS.get(export.report),
            "download_url": services.export_download_url(export)
            if export.status == Export.Status.DONE
            else "",
        },
    )
    if export.status in _UNFINISHED:
        response["Refresh"] = "3"  # progress without JavaScript
    return response


@require_GET
@ops_required
def export_download(request, export_id: int, token: str):
    """Only the requester, only until the export expires (then 410)."""
    try:
        export, file = services.export_for_download(
            user=request.user, export_id=export_id, token=token
        )
    except DomainError as exc:
        if exc.status == 410:
            return render(request, "reports/export_gone.html", status=410)
        raise Http404 from None
    report = REPORTS[export.report]
    filters = ReportFilters.from_dict(export.filters)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"{filters.file_stem(report.name)}.{export.format}",
        content_type=services.CONTENT_TYPES[export.format],
    )
    response["Cache-Control"] = "no-store"
    return response
