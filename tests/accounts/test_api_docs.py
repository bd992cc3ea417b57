import pytest

pytestmark = pytest.mark.django_db

ACCOUNTS_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/me/",
    "/api/v1/organisations/",
    "/api/v1/organisations/{id}/",
    "/api/v1/firms/",
    "/api/v1/firms/{id}/",
    "/api/v1/firms/{id}/verify/",
    "/api/v1/firms/{id}/reject/",
    "/api/v1/tokens/",
    "/api/v1/tokens/{id}/revoke/",
]


def test_swagger_ui_is_served_from_the_sidecar_so_it_works_offline(client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_schema_lists_every_accounts_endpoint(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ACCOUNTS_PATHS:
        assert path in paths, path
    firm_create = paths["/api/v1/firms/"]["post"]
    assert "201" in firm_create["responses"] and "400" in firm_create["responses"]
