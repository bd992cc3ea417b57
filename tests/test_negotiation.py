"""The negotiation fast path answers exactly as DRF would, and steps aside otherwise."""

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.negotiation import ContentNegotiation

RENDERERS = [JSONRenderer(), BrowsableAPIRenderer()]


def _request(path="/api/v1/bookings/", **headers):
    return Request(APIRequestFactory().get(path, **headers))


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/x/", {}),
        ("/x/", {"HTTP_ACCEPT": "*/*"}),
        ("/x/", {"HTTP_ACCEPT": "application/json"}),
        ("/x/", {"HTTP_ACCEPT": "application/json; indent=4"}),
        ("/x/", {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}),
        ("/x/?format=api", {}),
        ("/x/?format=json", {"HTTP_ACCEPT": "text/html"}),
    ],
)
def test_same_choice_as_drf(path, headers):
    def choice(negotiation):
        try:
            renderer, media_type = negotiation.select_renderer(_request(path, **headers), RENDERERS)
        except NotAcceptable:
            return "406"
        return type(renderer), media_type

    assert choice(ContentNegotiation()) == choice(DefaultContentNegotiation())


def test_format_suffix_is_honoured():
    renderer, _ = ContentNegotiation().select_renderer(_request(), RENDERERS, format_suffix="api")
    assert isinstance(renderer, BrowsableAPIRenderer)


@pytest.mark.django_db
def test_browser_still_gets_the_browsable_api(client):
    response = client.get("/api/v1/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
