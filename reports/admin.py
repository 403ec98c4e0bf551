"""The export log and the exports in the admin: read-only, for the record."""

from django.contrib import admin

from reports.models import Export, ExportLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records: nobody adds, changes or deletes them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "channel", "report", "format", "rows", "unmasked")
    list_filter = ("channel", "report", "format", "unmasked", "created_at")
    search_fields = ("actor", "report")
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "finished_at",
        "user",
        "actor",
        "channel",
        "report",
        "format",
        "filters",
        "unmasked",
        "rows",
        "export",
    )
    fields = readonly_fields


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "requester", "report", "format", "status", "row_count")
    list_filter = ("status", "report", "format")
    search_fields = ("requester__username", "report")
    readonly_fields = (
        "requester",
        "report",
        "format",
        "filters",
        "unmasked",
        "language",
        "status",
        "row_count",
        "progress_rows",
        "file_path",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    )
    # The token is a download secret: never shown, not even here.
    fields = readonly_fields
