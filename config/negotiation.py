"""Content negotiation with a fast path for what API clients almost always send.

DRF parses the Accept header into media-type objects and ranks them against every
renderer on each request (~3% of a booking's request time). Scripts and integrations send
no Accept header, ``*/*`` or ``application/json``; for those the answer is known without
parsing, and it is the one DRF would give. Anything else goes through DRF unchanged.
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation

_ANY = ("", "*/*")


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "")
        first = renderers[0] if renderers else None
        if (
            first is not None
            and not format_suffix
            and (accept in _ANY or accept == first.media_type)
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
