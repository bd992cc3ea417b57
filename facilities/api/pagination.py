"""DRF pagination on the capped paginator: ``count`` stops at 1000, ``count_capped`` says so."""

from __future__ import annotations

from rest_framework.response import Response

from config.pagination import StandardPagination
from facilities.pagination import COUNT_CAP, CappedPaginator


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
