"""The API's router: object ids in URLs are numbers unless a viewset says otherwise.

DRF's default lookup pattern takes any segment, so ``/bookings/abc/`` reached the view and
failed converting "abc" to an id (a 500). With digits only, such a URL simply matches no
route: a 404, like any other object that is not there.
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

NUMERIC_ID = r"[0-9]+"


class ApiRouter(DefaultRouter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("trailing_slash", True)
        super().__init__(*args, **kwargs)

    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        if getattr(viewset, "lookup_value_regex", None) is None:
            viewset.lookup_value_regex = NUMERIC_ID
        return super().get_lookup_regex(viewset, lookup_prefix)
