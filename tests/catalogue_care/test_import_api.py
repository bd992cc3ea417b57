"""The catalogue import through the API: preview with each row's values, confirm once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from facilities.models import Instrument
from tests.catalogue_care.test_imports_keep_defaults import xlsx
from tests.factories.accounts import make_provider, member_of
from tests.factories.facilities import CategoryFactory

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(api, content, kind="instruments"):
    upload = SimpleUploadedFile("仪器.xlsx", content)
    return api.post("/api/v1/catalogue-imports/", {"kind": kind, "file": upload},
                    format="multipart")  # fmt: skip


def test_api_preview_shows_defaults_and_warnings_then_confirms_once(manager, provider):
    CategoryFactory(code="0301")
    api = _api(manager)
    r = _post(api, xlsx([["红外光谱仪", "0301", "", "", "", ""],
                         ["写错", "9999", "也许", "", "", ""]]))  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["ready"] == 1 and body["status"] == "preview"
    good, bad = body["rows"]
    assert good["resolved"]["requires_approval"] == "yes" and good["warnings"]
    assert "requires_approval" in bad["errors"]
    assert not Instrument.objects.exists()
    assert api.get(f"/api/v1/catalogue-imports/{body['id']}/").json()["ready"] == 1
    done = api.post(f"/api/v1/catalogue-imports/{body['id']}/confirm/")
    assert done.status_code == 200 and done.json() == {"saved": 1}
    again = api.post(f"/api/v1/catalogue-imports/{body['id']}/confirm/")
    assert again.status_code == 409 and again.json()["code"] == "import_already_confirmed"
    assert Instrument.objects.get().requires_approval is True


def test_api_bad_file_is_400_and_others_batches_are_404(manager, provider):
    api = _api(manager)
    r = _post(api, b"not a workbook")
    assert r.status_code == 400 and r.json()["code"] == "import_bad_xlsx"
    CategoryFactory(code="0301")
    batch = _post(api, xlsx([["仪器", "0301", "", "", "", ""]])).json()
    stranger = _api(member_of(make_provider()))
    assert stranger.get(f"/api/v1/catalogue-imports/{batch['id']}/").status_code == 404
    assert stranger.post(f"/api/v1/catalogue-imports/{batch['id']}/confirm/").status_code == 404
    assert not Instrument.objects.exists()


def test_categories_are_listed_with_their_codes():
    parent = CategoryFactory(code="03", name_zh="分析仪器")
    CategoryFactory(code="0301", name_zh="光谱仪器", parent=parent)
    rows = APIClient().get("/api/v1/categories/").json()
    assert [(c["code"], c["parent_code"]) for c in rows] == [("03", ""), ("0301", "03")]
