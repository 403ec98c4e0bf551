"""Admin lists over big tables whose page time does not grow with the table.

`BigListAdmin` drops the admin's second `COUNT(*)` (the "N total" next to a filtered count,
`show_full_result_count = False`) and counts an unfiltered list from PostgreSQL's own estimate
(`pg_class.reltuples`, kept by ANALYZE) through `EstimatedCountPaginator`; a filtered or
searched list, or a small table, is counted exactly. The same paginator reads a page in the
second half of the list from its end (the list's order reversed, through the same index read
backwards), so the last page costs what the first does instead of skipping every row before
it: the deepest page is the middle one, half the list from either end.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count costs nothing worth saving.
EXACT_BELOW = 100_000


def estimated_rows(queryset) -> int | None:
    """PostgreSQL's estimate of the rows of the queryset's table, None when it has none."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.combinator:
            estimate = estimated_rows(queryset)
            if estimate is not None and estimate >= EXACT_BELOW:
                return estimate
        return super().count

    def page(self, number) -> Page:
        """Page `number`; past the middle, its rows are found from the end of the list (the
        ordering reversed, skipping only the pages after it) and returned in the list's own
        order, still as a queryset. With an estimated count the pages near the end are
        counted from the true end: the last page always shows the last rows."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom > self.count - top and isinstance(rows, QuerySet) and rows.ordered:
            from_end = rows.reverse()[self.count - top : self.count - bottom]
            return Page(rows.filter(pk__in=from_end.values("pk")), number, self)
        return Page(rows[bottom:top], number, self)


class BigListAdmin(admin.ModelAdmin):
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Wide columns no list column shows: left out of the list's rows (not of the object's
    # own page, which reads them).
    list_defer: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if self.list_defer and match and (match.url_name or "").endswith("_changelist"):
            queryset = queryset.defer(*self.list_defer)
        return queryset


def fixed_choices_filter(field: str, title, choices) -> type[admin.SimpleListFilter]:
    """A list filter offering `choices` (a fixed list, or a callable giving one) instead of
    Django's default for a plain field, a `SELECT DISTINCT` over the whole table; the URL
    parameter is the default's (`<field>__exact`)."""

    class FixedChoicesFilter(admin.SimpleListFilter):
        parameter_name = f"{field}__exact"

        def lookups(self, request, model_admin):
            return list(choices() if callable(choices) else choices)

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{field: self.value()})
            return queryset

    FixedChoicesFilter.title = title
    return FixedChoicesFilter
