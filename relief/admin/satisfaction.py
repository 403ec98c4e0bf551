"""Satisfaction answers in the admin (domain.md §11): read by Ops, never written.

A comment may hold what a borrower should not have typed (a phone, an ID or card number, an
email address): whoever sees phones masked in the admin (`core.permissions.
can_see_full_phones`) sees the comment as the reports show it (`comment_masked`), in the list
and on the answer's page. No search over comments: a search for digits would find the hidden
ones one at a time. The list finds an answer by its application's number.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.admin_lists import fixed_choices_filter
from relief.admin.audit import ApplicationNumberSearch, ReadOnlyAdmin
from relief.models import SatisfactionAnswer, SatisfactionMoment, SatisfactionOutcome
from relief.satisfaction import SCORE_LABELS

SHOWN = ("created_at", "application", "moment", "outcome", "score")


@admin.register(SatisfactionAnswer)
class SatisfactionAnswerAdmin(ApplicationNumberSearch, ReadOnlyAdmin):
    list_filter = (
        fixed_choices_filter("moment", _("moment"), SatisfactionMoment.choices),
        fixed_choices_filter("outcome", _("outcome"), SatisfactionOutcome.choices),
        fixed_choices_filter("score", _("score"), SCORE_LABELS),
    )
    raw_id_fields = ("application",)

    def whole_comments(self, request) -> bool:
        return permissions.can_see_full_phones(request.user)

    def get_list_display(self, request):
        comment = "comment_short" if self.whole_comments(request) else "comment_masked_short"
        return ("created_at", "application_id", "moment", "outcome", "score", comment)

    def get_fields(self, request, obj=None):
        return (*SHOWN, "comment" if self.whole_comments(request) else "comment_masked")

    @admin.display(description=_("comment"))
    def comment_short(self, obj: SatisfactionAnswer) -> str:
        return Truncator(obj.comment).chars(80)

    @admin.display(description=_("comment (masked)"))
    def comment_masked_short(self, obj: SatisfactionAnswer) -> str:
        return Truncator(obj.comment_masked).chars(80)
