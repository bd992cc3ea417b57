"""A report carries only the marks of valid certificates whose scope covers its service;
the provider's managers keep the certificates and their scopes on a page and in the API."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Accreditation
from booking.services import service_requests as sr_services
from config.errors import Invalid
from facilities.accreditation_scope import marks_allowed, matching_line
from facilities.models import TestingService as Service
from facilities.services import accreditation_create, accreditation_update
from tests.factories.accounts import UserFactory, join, make_provider
from tests.factories.facilities import TestingServiceFactory
from tests.factories.service_requests import ServiceRequestFactory, pdf_upload
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().replace(year=timezone.localdate().year + 1)


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def lab(provider, manager):
    """嘉兴's lab: CMA for EMC and geometry, CNAS for EMC only."""
    accreditation_create(actor=manager, provider_id=provider.pk, type="cma",
                         certificate_no="231100340871", expires_on=NEXT_YEAR,
                         scope="电磁兼容 GB/T 9254.1-2021\n几何量 GB/T 16857.2-2017")  # fmt: skip
    accreditation_create(actor=manager, provider_id=provider.pk, type="cnas",
                         certificate_no="CNAS L9920", expires_on=NEXT_YEAR,
                         scope="电磁兼容 GB/T 9254.1-2021")  # fmt: skip
    return provider


@pytest.fixture
def dimensional(lab):
    return TestingServiceFactory(provider=lab, name="产品几何尺寸三坐标测量",
                                 standards="GB/T 16857.2-2017")  # fmt: skip


@pytest.fixture
def emc(lab):
    return TestingServiceFactory(provider=lab, name="多媒体设备 辐射与传导骚扰测试",
                                 standards="GB/T 9254.1-2021")  # fmt: skip


def _testing(service, manager, _media):
    return advance(ServiceRequestFactory(service=service), "testing", manager=manager)


def _report(manager, sr, marks=None):
    return sr_services.service_request_report(actor=manager, sr=sr, report_number=f"R-{sr.pk}",
                                              report_file=pdf_upload(), marks=marks)  # fmt: skip


class TestMatching:
    def test_a_listed_standard_covers_whatever_the_year_when_the_scope_gives_none(self):
        assert matching_line("GB/T 228.1", name="拉伸", standards="GB/T 228.1-2021")
        assert matching_line("GB/T 228.1-2021", name="拉伸", standards="GB/T 228.1-2021")
        assert not matching_line("GB/T 228.1-2010", name="拉伸", standards="GB/T 228.1-2021")
        assert not matching_line("GB/T 228.2-2021", name="拉伸", standards="GB/T 228.1-2021")
        # full-width text and an em dash, as typed in a Chinese editor
        assert matching_line(
            "ＧＢ／Ｔ　２２８.１—２０２１", name="拉伸", standards="GB/T 228.1-2021"
        )

    def test_an_item_line_covers_a_service_named_by_it(self):
        assert matching_line("中性盐雾试验、湿热试验", name="中性盐雾试验", standards="GB/T 10125")
        assert not matching_line(
            "电磁兼容", name="产品几何尺寸三坐标测量", standards="GB/T 16857.2"
        )

    def test_a_line_with_standards_covers_only_those(self):
        assert not matching_line("几何量 GB/T 3177", name="几何量测量", standards="GB/T 16857.2")


def test_a_dimensional_report_cannot_carry_the_cnas_mark_of_an_emc_certificate(
    dimensional, emc, manager, _media
):
    assert marks_allowed(dimensional, timezone.localdate()) == ["cma"]
    assert marks_allowed(emc, timezone.localdate()) == ["cma", "cnas"]
    sr = _testing(dimensional, manager, _media)
    with pytest.raises(Invalid) as info:
        _report(manager, sr, marks=["cma", "cnas"])
    assert info.value.code == "mark_not_in_scope"
    assert "CNAS" in str(info.value.message)
    sr.refresh_from_db()
    assert sr.status == "testing"
    _report(manager, sr)  # no choice given: every allowed mark
    sr.refresh_from_db()
    assert sr.report_accreditation == "CMA"


def test_the_manager_picks_marks_within_the_limit(emc, manager, _media):
    picked = _testing(emc, manager, _media)
    _report(manager, picked, marks=["cnas"])
    picked.refresh_from_db()
    assert picked.report_accreditation == "CNAS"
    none = _testing(emc, manager, _media)
    _report(manager, none, marks=[])
    none.refresh_from_db()
    assert none.report_accreditation == ""


def test_the_api_takes_the_marks_and_refuses_one_out_of_scope(dimensional, manager, api_client,
                                                              _media):  # fmt: skip
    sr = _testing(dimensional, manager, _media)
    url = f"/api/v1/service-requests/{sr.pk}/report/"
    bad = api_client(manager).post(url, {"report_number": "R-1", "report_file": pdf_upload(),
                                         "marks": "cma,cnas"}, format="multipart")  # fmt: skip
    assert bad.status_code == 400
    assert (bad.json()["code"], list(bad.json()["fields"])) == ("mark_not_in_scope", ["marks"])
    ok = api_client(manager).post(url, {"report_number": "R-1", "report_file": pdf_upload(),
                                        "marks": "cma"}, format="multipart")  # fmt: skip
    assert ok.status_code == 200, ok.json()
    assert ok.json()["report_accreditation"] == "CMA"


def test_an_expired_certificate_stops_its_mark_from_the_next_day(emc, manager, provider, _media):
    cnas = Accreditation.objects.get(type="cnas", provider_id=provider.pk)
    last_day = timezone.localdate() + dt.timedelta(days=10)
    accreditation_update(actor=manager, accreditation=cnas, expires_on=last_day)
    noon = dt.datetime.combine(last_day, dt.time(12), tzinfo=timezone.get_default_timezone())
    with time_machine.travel(noon, tick=False):
        assert marks_allowed(emc, timezone.localdate()) == ["cma", "cnas"]
    with time_machine.travel(noon + dt.timedelta(days=1), tick=False):
        assert marks_allowed(emc, timezone.localdate()) == ["cma"]
        with pytest.raises(Invalid):
            _report(manager, _testing(emc, manager, _media), marks=["cnas"])


def test_the_flag_follows_the_scopes(dimensional, emc, manager, provider):
    unrelated = TestingServiceFactory(provider=provider, name="皮革 六价铬含量测定",
                                      standards="GB/T 22807-2019")  # fmt: skip
    assert Service.objects.get(pk=dimensional.pk).in_accredited_scope
    assert not unrelated.in_accredited_scope
    cma = Accreditation.objects.get(type="cma", provider_id=provider.pk)
    accreditation_update(actor=manager, accreditation=cma, scope="电磁兼容 GB/T 9254.1-2021")
    assert not Service.objects.get(pk=dimensional.pk).in_accredited_scope
    assert Service.objects.get(pk=emc.pk).in_accredited_scope


class TestCertificatesPage:
    URL = "/lab/accreditations/"

    def test_the_manager_adds_a_certificate_and_sees_what_it_covers(self, provider, manager,
                                                                     client_of):  # fmt: skip
        service = TestingServiceFactory(provider=provider, name="金属材料室温拉伸试验",
                                        standards="GB/T 228.1-2021")  # fmt: skip
        c = client_of(manager)
        r = c.post(self.URL, {"new-type": "cma", "new-certificate_no": "221100340123",
                              "new-expires_on": NEXT_YEAR.isoformat(),
                              "new-scope": "金属材料力学性能 GB/T 228.1-2021"}, follow=True)  # fmt: skip
        assert r.status_code == 200
        page = r.content.decode()
        assert "221100340123" in page and service.name in page
        assert Service.objects.get(pk=service.pk).in_accredited_scope

    def test_a_bad_certificate_keeps_the_input_and_says_why(self, lab, manager, client_of):
        r = client_of(manager).post(self.URL, {"new-type": "cma",
                                               "new-certificate_no": "231100340871",
                                               "new-expires_on": NEXT_YEAR.isoformat(),
                                               "new-scope": "几何量"})  # fmt: skip
        assert r.status_code == 400
        assert "already registered" in r.content.decode()
        assert 'value="231100340871"' in r.content.decode()

    def test_edit_and_remove(self, lab, manager, client_of):
        cnas = Accreditation.objects.get(type="cnas", provider_id=lab.pk)
        c = client_of(manager)
        c.post(f"{self.URL}{cnas.pk}/", {f"c{cnas.pk}-type": "cnas",
                                         f"c{cnas.pk}-certificate_no": "CNAS L9920",
                                         f"c{cnas.pk}-expires_on": NEXT_YEAR.isoformat(),
                                         f"c{cnas.pk}-scope": "几何量 GB/T 16857.2"})  # fmt: skip
        assert Accreditation.objects.get(pk=cnas.pk).scope == "几何量 GB/T 16857.2"
        c.post(f"{self.URL}{cnas.pk}/delete/")
        assert not Accreditation.objects.filter(pk=cnas.pk).exists()

    def test_another_providers_manager_cannot_touch_them(self, lab, client_of):
        stranger = UserFactory()
        join(stranger, make_provider(), admin=True)
        cnas = Accreditation.objects.get(type="cnas", provider_id=lab.pk)
        c = client_of(stranger)
        assert cnas.certificate_no not in c.get(self.URL).content.decode()
        assert c.post(f"{self.URL}{cnas.pk}/delete/").status_code == 404
        assert Accreditation.objects.filter(pk=cnas.pk).exists()


class TestCertificatesApi:
    URL = "/api/v1/accreditations/"

    def test_create_list_patch_delete(self, provider, manager, api_client):
        service = TestingServiceFactory(provider=provider, standards="GB/T 228.1-2021")
        api = api_client(manager)
        r = api.post(self.URL, {"type": "cnas", "certificate_no": "CNAS L1", "scope": "GB/T 228.1",
                                "expires_on": NEXT_YEAR.isoformat()}, format="json")  # fmt: skip
        assert r.status_code == 201, r.json()
        assert r.json()["services_covered"] == [service.pk] and r.json()["is_valid"]
        pk = r.json()["id"]
        assert [c["id"] for c in api.get(self.URL).json()] == [pk]
        r = api.patch(f"{self.URL}{pk}/", {"scope": "GB/T 999"}, format="json")
        assert (r.status_code, r.json()["services_covered"]) == (200, [])
        assert api.delete(f"{self.URL}{pk}/").status_code == 204
        assert api.get(self.URL).json() == []

    def test_a_duplicate_or_a_bad_field_is_a_400(self, lab, manager, api_client):
        api = api_client(manager)
        dup = api.post(self.URL, {"type": "cnas", "certificate_no": "CNAS L9920",
                                  "expires_on": NEXT_YEAR.isoformat()}, format="json")  # fmt: skip
        assert (dup.status_code, dup.json()["code"]) == (400, "certificate_taken")
        bad = api.post(self.URL, {"type": "iso", "certificate_no": "X", "expires_on": "soon"},
                       format="json")  # fmt: skip
        assert bad.status_code == 400
        assert {"type", "expires_on"} <= set(bad.json()["fields"])

    def test_not_yours_is_404(self, lab, api_client):
        stranger = UserFactory()
        join(stranger, make_provider(), admin=True)
        cnas = Accreditation.objects.get(type="cnas", provider_id=lab.pk)
        api = api_client(stranger)
        assert api.get(self.URL).json() == []
        assert api.patch(f"{self.URL}{cnas.pk}/", {"scope": ""}, format="json").status_code == 404
        assert api.delete(f"{self.URL}{cnas.pk}/").status_code == 404


def test_the_service_page_and_api_show_the_marks_and_the_scope(dimensional, client_of, alice,
                                                               api_client):  # fmt: skip
    page = client_of(alice).get(f"/services/{dimensional.pk}/").content.decode()
    assert 'data-testid="mark-cma"' in page and 'data-testid="mark-cnas"' not in page
    assert "几何量 GB/T 16857.2-2017" in page
    r = api_client(alice).get(f"/api/v1/services/{dimensional.pk}/")
    assert (r.json()["marks_allowed"], r.json()["in_accredited_scope"]) == (["cma"], True)


def test_the_report_form_offers_only_the_allowed_marks(dimensional, manager, client_of, _media):
    sr = _testing(dimensional, manager, _media)
    page = client_of(manager).get(f"/testing-requests/{sr.pk}/").content.decode()
    assert 'name="marks" value="cma"' in page
    assert 'name="marks" value="cnas"' not in page
