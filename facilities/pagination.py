"""Counting without COUNT(*) over a huge result: counts stop at a cap ("1000+")."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1000


def capped_count(rows, cap: int = COUNT_CAP) -> int:
    """COUNT over an unordered LIMITed subquery: at most ``cap + 1`` rows are touched."""
    if isinstance(rows, list | tuple):
        return len(rows)
    return rows.order_by()[: cap + 1].count()


class CappedPaginator(Paginator):
    """A paginator whose count is at most COUNT_CAP + 1. A selector may attach the count it
    already took (``capped_count``) or the plain filtered rows to count (``count_source``),
    so the count query skips the sort and the per-row annotations."""

    def page(self, number):
        """With ``id_query`` (ordered ids on the one table), a page is two small queries:
        the page's ids, then those rows with their joins — a deferred join, so the joins
        never run over every match and the planner can stop after one page of ids."""
        id_query = getattr(self.object_list, "id_query", None)
        if id_query is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(id_query.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        # ``page_rows``: the same rows without the filters, which the ids already applied
        source = getattr(self.object_list, "page_rows", self.object_list)
        rows = {row.pk: row for row in source.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    @cached_property
    def count(self) -> int:
        known = getattr(self.object_list, "capped_count", None)
        if known is not None:
            return known
        return capped_count(getattr(self.object_list, "count_source", self.object_list))
