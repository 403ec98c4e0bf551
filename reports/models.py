"""Exports built in the background, and the audit log of every export (docs/reports.md)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.progress import progress_read


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSON = "json", "JSON"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Export(models.Model):
    """A report file too large to stream at once: a task builds it, the requester downloads it.

    The file lives in the default storage under exports/ and only the requester may download
    it, until `expires_at`. While it is being built, `progress_rows` as loaded is the count
    the build keeps in the cache (`reports.progress`).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_exports"
    )
    report = models.CharField(_("report"), max_length=40)
    filters = models.JSONField(_("filters"), default=dict)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    # Decided when asked for, from the requester's permission at that moment.
    unmasked = models.BooleanField(_("unmasked"), default=False)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    # The count when asked for (for the progress bar); the rows written once done.
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    progress_rows = models.PositiveIntegerField(_("rows written"), default=0)
    file_path = models.CharField(_("file"), max_length=300, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    expires_at = models.DateTimeField(_("expires at"))
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        permissions = [("view_ops_reports", _("Can see the ops dashboard, reports and exports"))]
        indexes = [models.Index(fields=["requester", "-created_at"], name="export_by_requester")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.report}.{self.format} ({self.status})"

    @classmethod
    def from_db(cls, db, field_names, values):
        export = super().from_db(db, field_names, values)
        loaded = set(field_names)
        if {"status", "progress_rows"} <= loaded and export.status == cls.Status.RUNNING:
            rows = progress_read(export.pk)
            if rows is not None:
                export.progress_rows = rows
        return export

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.row_count:
            return 0
        return min(99, self.progress_rows * 100 // self.row_count)


class ExportLog(models.Model):
    """Append-only: who exported which report, with which filters, how many rows, when."""

    class Channel(models.TextChoices):
        WEB = "web", _("Ops pages")
        API = "api", _("API")
        COMMAND = "command", _("Command line")
        TASK = "task", _("Background export")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who, as written at the time: the username, or the command line's description.
    actor = models.CharField(_("who"), max_length=150)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    report = models.CharField(_("report"), max_length=40)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict)
    unmasked = models.BooleanField(_("unmasked"), default=False)
    # Empty while a streamed download is still running (or when it was cut off).
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    export = models.ForeignKey(
        Export, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor}: {self.report}.{self.format} ({self.rows} rows)"


class ReviewerDecision(models.Model):
    """A decision as the reviewers report counts it, one row per reviewer taking part: `own`
    for the reviewer who made it (the first approver of a four-eyes case, else the one who
    decided), `second` for the one confirming someone's approval. Automatic decisions have
    no reviewer and no row.

    A database view over the applications (migration 0003), so that the report is one
    aggregate over the range's decisions; read only.
    """

    class Role(models.TextChoices):
        OWN = "own", _("Own decision")
        SECOND = "second", _("Second approval")

    application = models.ForeignKey(
        "relief.ReliefApplication", on_delete=models.DO_NOTHING, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+"
    )
    role = models.CharField(max_length=8, choices=Role.choices)
    # The application's, as the report's filters and figures need them.
    loan = models.ForeignKey("loans.Loan", on_delete=models.DO_NOTHING, related_name="+")
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField()
    status = models.CharField(max_length=32)
    suggested_percent = models.PositiveSmallIntegerField()
    decided_percent = models.PositiveSmallIntegerField(null=True)

    class Meta:
        managed = False
        db_table = "reports_reviewerdecision"

    def __str__(self) -> str:
        return f"{self.role} #{self.application_id}"
