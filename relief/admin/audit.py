"""The audit trail in the admin: events and notifications are read, never written.

Events are append-only (a database trigger refuses UPDATE and DELETE on PostgreSQL);
notifications change only through the delivery task, and for a send in doubt ("needs
attention") through the two actions of those who may settle it. Failed deliveries are easy
to find.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_lists import BigListAdmin, fixed_choices_filter
from core.permissions import can_settle_messages
from relief.models import ApplicationEvent, ApplicationStatus, Notification
from relief.services.delivery import delivery_settle

NOTIFICATION_TEMPLATES = settings.BASE_DIR / "templates" / "notifications"


def notification_kinds() -> list[tuple[str, str]]:
    """The kinds there are: one text template each (relief.services.notifications)."""
    return [(path.stem, path.stem) for path in sorted(NOTIFICATION_TEMPLATES.glob("*.txt"))]


class ReadOnlyAdmin(BigListAdmin):
    """Visible to those with the view permission; nobody adds, changes or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApplicationNumberSearch:
    """The list searched by its rows' application number ("#123" or "123"), an indexed
    lookup; anything else finds nothing."""

    search_fields = ("=application__id",)
    search_help_text = _("Application number")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().removeprefix("#")
        if not term:
            return queryset, False
        if not term.isdigit() or len(term) > 18:
            return queryset.none(), False
        return queryset.filter(application_id=int(term)), False


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ApplicationNumberSearch, ReadOnlyAdmin):
    list_display = (
        "at",
        "application_id",
        "actor_kind",
        "actor",
        "from_status",
        "to_status",
        "note_short",
    )
    list_filter = (
        "actor_kind",
        fixed_choices_filter("to_status", _("to"), ApplicationStatus.choices),
    )
    list_select_related = ("actor",)
    list_defer = ("data",)

    @admin.display(description=_("note"))
    def note_short(self, obj: ApplicationEvent) -> str:
        return Truncator(obj.note).chars(80)


class DeliveryErrorFilter(admin.SimpleListFilter):
    title = _("last error")
    parameter_name = "error"

    def lookups(self, request, model_admin):
        return [("yes", _("With an error")), ("no", _("Without"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(last_error="")
        if self.value() == "no":
            return queryset.filter(last_error="")
        return queryset


SETTLED = {
    True: _("The provider said it was delivered: marked sent."),
    False: _("The provider said it was not delivered: sent again."),
}


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "recipient",
        "application_id",
        "kind",
        "channel",
        "status",
        "attempts",
        "error_short",
        "sent_at",
        "read_at",
    )
    list_filter = (
        "status",
        "channel",
        DeliveryErrorFilter,
        fixed_choices_filter("kind", _("kind"), notification_kinds),
    )
    list_select_related = ("recipient",)
    search_fields = ("recipient__username", "kind")
    actions = ["mark_delivered", "send_again"]
    list_defer = ("body", "texts")

    @admin.display(description=_("last error"))
    def error_short(self, obj: Notification) -> str:
        return Truncator(obj.last_error).chars(80)

    def has_settle_permission(self, request) -> bool:
        return can_settle_messages(request.user)

    @admin.action(description=_("The provider delivered it: mark sent"), permissions=["settle"])
    def mark_delivered(self, request, queryset):
        self.settle(request, queryset, delivered=True)

    @admin.action(
        description=_("The provider did not deliver it: send again"), permissions=["settle"]
    )
    def send_again(self, request, queryset):
        self.settle(request, queryset, delivered=False)

    def settle(self, request, queryset, *, delivered: bool) -> None:
        """Only the messages that need attention; each one's answer in the admin's log."""
        settled = 0
        for notification in queryset.filter(status=Notification.Status.NEEDS_ATTENTION):
            if delivery_settle(
                user=request.user, notification_id=notification.pk, delivered=delivered
            ):
                settled += 1
                # Kept in the language of the person who settled it.
                self.log_change(request, notification, str(SETTLED[delivered]))
        skipped = queryset.count() - settled
        if settled:
            self.message_user(
                request,
                ngettext("%(count)d message settled.", "%(count)d messages settled.", settled)
                % {"count": settled},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message did not need attention and was left as it was.",
                    "%(count)d messages did not need attention and were left as they were.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
