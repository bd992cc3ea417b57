"""Report uploads are checked before anything changes; downloads only for the two parties."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Accreditation
from booking import reports
from booking.models import ServiceRequest, StateChange
from tests.factories.service_requests import pdf_upload
from tests.service_requests.conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing(make_request, manager):
    return advance(make_request(), "testing", manager=manager)


def upload(api, manager, sr, file, number="R-100"):
    return api(manager).post(
        f"/api/v1/service-requests/{sr.pk}/report/",
        {"report_number": number, "report_file": file},
        format="multipart",
    )


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()]


def assert_unchanged(sr, media):
    sr.refresh_from_db()
    assert sr.status == ServiceRequest.Status.TESTING
    assert not sr.report_file and not sr.report_number
    assert StateChange.objects.filter(service_request=sr).count() == 4
    assert stored_files(media) == []


def test_word_document_is_refused(testing, manager, api, _media):
    doc = SimpleUploadedFile("report.docx", b"PK\x03\x04", "application/vnd.openxmlformats")
    r = upload(api, manager, testing, doc)
    assert r.status_code == 400 and r.json()["code"] == "report_not_pdf"
    assert "report_file" in r.json()["fields"]
    assert_unchanged(testing, _media)


def test_fake_pdf_is_refused(testing, manager, api, _media):
    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", "application/pdf")
    r = upload(api, manager, testing, fake)
    assert r.status_code == 400 and r.json()["code"] == "report_not_pdf"
    assert "not a real PDF" in r.json()["detail"]
    assert_unchanged(testing, _media)


def test_pdf_with_wrong_content_type_is_refused(testing, manager, api, _media):
    r = upload(api, manager, testing, pdf_upload(content_type="text/html"))
    assert r.status_code == 400
    assert_unchanged(testing, _media)


def test_oversized_report_is_refused(testing, manager, api, _media, monkeypatch):
    monkeypatch.setattr(reports, "REPORT_MAX_BYTES", 1024)
    big = pdf_upload(content=b"%PDF-1.4\n" + b"0" * 2048)
    r = upload(api, manager, testing, big)
    assert r.status_code == 400 and r.json()["code"] == "report_too_large"
    assert "MB" in r.json()["detail"]
    assert_unchanged(testing, _media)


def test_missing_report_number_changes_nothing(testing, manager, api, _media):
    r = upload(api, manager, testing, pdf_upload(), number="")
    assert r.status_code == 400
    assert_unchanged(testing, _media)


def test_report_number_is_unique_per_provider(make_request, testing, manager, alice, api, _media):
    advance(make_request(), "reported", manager=manager)  # uses R-<pk>
    other = ServiceRequest.objects.exclude(pk=testing.pk).get()
    r = upload(api, manager, testing, pdf_upload(), number=other.report_number)
    assert r.status_code == 400 and r.json()["code"] == "report_number_taken"
    testing.refresh_from_db()
    assert testing.status == "testing"
    assert len(stored_files(_media)) == 1  # the other request's report only


def test_lost_race_leaves_no_orphan_file(testing, manager, _media, monkeypatch):
    """Someone else moved the request between the check and the update: 409, file removed."""
    from booking.services import service_requests as services
    from config.errors import InvalidTransition

    ServiceRequest.objects.filter(pk=testing.pk).update(status="reported")  # the other winner
    monkeypatch.setattr(services, "_require_legal", lambda sr, to: None)
    with pytest.raises(InvalidTransition):
        services.service_request_report(
            actor=manager, sr=testing, report_number="R-7", report_file=pdf_upload()
        )
    assert stored_files(_media) == []


def test_valid_report_is_stored_privately_with_the_accreditation_mark(
    testing, manager, api, provider, _media
):
    from django.utils import timezone

    Accreditation.objects.create(
        provider=provider.provider,
        type="cma",
        certificate_no="221100340999",
        expires_on=timezone.localdate().replace(year=timezone.localdate().year + 1),
        scope="金属材料力学性能 GB/T 228.1-2021",  # the service's standard: within scope
    )
    r = upload(api, manager, testing, pdf_upload())
    assert r.status_code == 200, r.json()
    testing.refresh_from_db()
    assert testing.report_accreditation == "CMA"
    assert testing.report_file.name.startswith("reports/")
    assert len(stored_files(_media)) == 1


def test_expired_accreditation_gives_no_mark(testing, manager, api, provider):
    import datetime as dt

    Accreditation.objects.create(
        provider=provider.provider,
        type="cnas",
        certificate_no="L1234",
        expires_on=dt.date(2020, 1, 1),
        scope="GB/T 228.1-2021",
    )
    upload(api, manager, testing, pdf_upload())
    testing.refresh_from_db()
    assert testing.report_accreditation == ""


@pytest.fixture
def reported(make_request, manager):
    return advance(make_request(), "reported", manager=manager)


def test_firm_and_provider_download_the_report(reported, alice, manager, api):
    from tests.conftest import client_for

    for user in (alice, manager):
        r = client_for(user).get(f"/testing-requests/{reported.pk}/report-file/")
        assert r.status_code == 200
        assert r["Content-Type"] == "application/pdf"
        assert b"".join(r.streaming_content).startswith(b"%PDF-")
        assert "attachment" in r["Content-Disposition"]
    r = api(alice).get(f"/api/v1/service-requests/{reported.pk}/report-file/")
    assert r.status_code == 200


def test_other_firm_and_other_provider_get_404_on_the_report(reported, bob, other_manager, api):
    from tests.conftest import client_for

    for user in (bob, other_manager):
        assert (
            client_for(user).get(f"/testing-requests/{reported.pk}/report-file/").status_code == 404
        )
        r = api(user).get(f"/api/v1/service-requests/{reported.pk}/report-file/")
        assert r.status_code == 404


def test_report_is_not_served_as_public_media(reported, client):
    assert client.get(f"/media/{reported.report_file.name}").status_code == 404
