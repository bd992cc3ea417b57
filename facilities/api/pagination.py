"""Page-number pagination whose count stops at a cap, so no COUNT(*) walks a huge result."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.response import Response

from config.pagination import StandardPagination

COUNT_CAP = 1000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # COUNT over a LIMITed subquery: at most COUNT_CAP + 1 rows are ever touched.
        return self.object_list[: COUNT_CAP + 1].count()


class CappedPagination(StandardPagination):
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        count = self.page.paginator.count
        return Response(
            {
                "count": min(count, COUNT_CAP),
                "count_capped": count > COUNT_CAP,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count_capped"] = {"type": "boolean"}
        return out
