"""The OpenAPI schema describes every endpoint without guesswork."""

from django.core.management import call_command


def test_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/instruments/",
        "/api/v1/instruments/{id}/availability/",
        "/api/v1/bookings/",
        "/api/v1/bookings/{id}/approve/",
        "/api/v1/service-requests/",
        "/api/v1/providers/",
        "/api/v1/services/",
    ):
        assert f"{path}:" in text, path
