"""The department's pages: programmes, applications queue, bulk issue; and who may not."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import FirmProfile
from tests.conftest import client_for
from tests.factories.accounts import make_firm
from tests.voucher_pages.conftest import YUAN
from vouchers.models import Programme, Voucher, VoucherApplication
from vouchers.selectors.programmes import programme_figures
from vouchers.services.applications import application_submit

pytestmark = pytest.mark.django_db


def programme_post(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "kind": "innovation", "name": "玉环创新券", "region": "330000", "budget": "500000",
        "valid_from": today.isoformat(), "valid_to": (today + dt.timedelta(days=365)).isoformat(),
        "tier_1_up_to": "10000", "tier_1_pct": "100", "tier_2_up_to": "", "tier_2_pct": "50",
        "cap_per_order": "20000", "cap_held": "50000", "cap_per_year": "100000",
        "cap_per_controller": "on", "voucher_valid_days": "90",
        "order_kinds": ["booking", "service_request"], "firm_sizes": ["small", "micro"],
        "exclude_statutory": "on", "providers": "all",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "url",
    ["/review/programmes/", "/review/programmes/new/", "/review/voucher-applications/"],
)
def test_a_firm_cannot_open_department_pages(alice, url):
    assert client_for(alice).get(url).status_code == 404


def test_a_firm_cannot_open_a_programme_page_even_a_published_one(alice, programme):
    client = client_for(alice)
    assert client.get(f"/review/programmes/{programme.pk}/").status_code == 404
    assert client.get(f"/review/programmes/{programme.pk}/issue/").status_code == 404
    assert client.post(f"/review/programmes/{programme.pk}/pause/").status_code == 404


def test_another_department_gets_404_for_the_programme(other_reviewer, programme):
    assert client_for(other_reviewer).get(f"/review/programmes/{programme.pk}/").status_code == 404
    assert (
        programme.name.encode() not in client_for(other_reviewer).get("/review/programmes/").content
    )


def test_reviewer_creates_a_tiered_programme_from_the_form(reviewer):
    r = client_for(reviewer).post("/review/programmes/new/", programme_post())
    assert r.status_code == 302
    programme = Programme.objects.get()
    assert programme.status == "draft" and programme.budget_fen == 500_000 * YUAN
    assert programme.rules["tiers"] == [
        {"up_to_fen": 10_000 * YUAN, "ratio_bp": 10_000},
        {"up_to_fen": None, "ratio_bp": 5_000},
    ]
    assert programme.rules["cap_per_order_fen"] == 20_000 * YUAN
    assert programme.rules["cap_per_controller"] is True


def test_the_programme_form_explains_a_refusal_and_keeps_the_input(reviewer):
    # The second band ends below the first: the rules refuse it, in words, next to the bands.
    data = programme_post(tier_2_up_to="5000", tier_3_pct="30")
    r = client_for(reviewer).post("/review/programmes/new/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "Each band must end above the previous one." in html
    assert 'data-testid="tiers-error"' in html and 'value="玉环创新券"' in html
    assert not Programme.objects.exists()


def test_a_typed_percentage_that_is_not_a_number_is_a_field_error(reviewer):
    r = client_for(reviewer).post("/review/programmes/new/", programme_post(tier_1_pct="half"))
    assert r.status_code == 400 and b"Enter a percentage" in r.content


def test_a_region_outside_the_department_is_refused(other_reviewer):
    r = client_for(other_reviewer).post("/review/programmes/new/", programme_post())
    assert r.status_code == 400 and not Programme.objects.exists()


def test_publish_pause_and_close_from_the_programme_page(reviewer):
    client = client_for(reviewer)
    client.post("/review/programmes/new/", programme_post())
    programme = Programme.objects.get()
    for action, status in (("publish", "published"), ("pause", "paused"), ("close", "closed")):
        client.post(f"/review/programmes/{programme.pk}/{action}/", {"reason": "test"})
        programme.refresh_from_db()
        assert programme.status == status
    r = client.post(f"/review/programmes/{programme.pk}/publish/", follow=True)
    assert "Cannot change from" in r.content.decode()  # a closed programme stays closed


def test_editing_a_published_programme_makes_a_new_rules_version(reviewer, programme):
    from frontend.forms.vouchers import programme_initial

    client = client_for(reviewer)
    initial = programme_initial(programme)
    data = {k: v for k, v in initial.items() if v not in (None, False)}
    data.update(valid_from=programme.valid_from.isoformat(), valid_to=programme.valid_to.isoformat(),
                tier_1_pct="80", note="更高比例", region="330000", kind="innovation")  # fmt: skip
    r = client.post(f"/review/programmes/{programme.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    programme.refresh_from_db()
    assert programme.version == 2 and programme.rules["tiers"][0]["ratio_bp"] == 8_000


def test_programme_page_shows_the_budget_as_the_ledger_says(reviewer, programme, issue, firm_a):
    issue(firm_a, yuan=1_234)
    r = client_for(reviewer).get(f"/review/programmes/{programme.pk}/")
    html = r.content.decode()
    figures = programme_figures(programme=Programme.objects.get(pk=programme.pk))
    assert figures["issued_fen"] == 1_234 * YUAN
    for key in ("budget", "issued", "held", "captured", "left"):
        amount = figures[f"{key}_fen"]
        shown = f"¥{amount // 100:,}.{amount % 100:02d}"
        assert f'data-testid="budget-{key}">{shown}<' in html


@pytest.fixture
def applications(programme, db):
    """Five firms applied for ¥2,000 each."""
    from tests.factories.accounts import member_of

    rows = []
    for i in range(5):
        firm = make_firm()
        user = member_of(firm, email=f"applicant{i}@example.cn")
        rows.append(application_submit(actor=user, programme_id=programme.pk, firm_id=firm.pk,
                                       amount_fen=2_000 * YUAN, purpose=f"检测 {i}"))  # fmt: skip
    return rows


def test_applications_queue_query_count_is_pinned(
    reviewer, applications, django_assert_max_num_queries
):
    client = client_for(reviewer)
    with django_assert_max_num_queries(12):
        r = client.get("/review/voucher-applications/")
    assert r.status_code == 200 and r.content.count(b'data-testid="application"') == 5


def test_approving_a_smaller_amount_issues_the_voucher(reviewer, applications):
    application = applications[0]
    r = client_for(reviewer).post(
        f"/review/voucher-applications/{application.pk}/approve/",
        {"amount": "1500", "reason": "部分批准"}, HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert r.status_code == 200 and b"<html" not in r.content
    application.refresh_from_db()
    assert application.status == "approved" and application.approved_fen == 1_500 * YUAN
    assert Voucher.objects.get(application=application).face_fen == 1_500 * YUAN


def test_rejecting_needs_a_reason_shown_in_the_row(reviewer, applications):
    application = applications[0]
    client = client_for(reviewer)
    url = f"/review/voucher-applications/{application.pk}/reject/"
    r = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert b"decision-error" in r.content and b"Please give a reason" in r.content
    client.post(url, {"reason": "材料不全"})
    application.refresh_from_db()
    assert application.status == "rejected" and application.decision_reason == "材料不全"


def test_approving_more_than_asked_is_refused_with_the_reason(reviewer, applications):
    r = client_for(reviewer).post(
        f"/review/voucher-applications/{applications[0].pk}/approve/", {"amount": "9000"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert b"at most the amount asked" in r.content
    assert VoucherApplication.objects.filter(status="submitted").count() == 5


def test_a_firm_cannot_decide_its_own_application(applications):
    from accounts.models import User

    applicant = User.objects.get(email="applicant0@example.cn")
    r = client_for(applicant).post(f"/review/voucher-applications/{applications[0].pk}/approve/")
    assert r.status_code == 404


def _csv(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("issue.csv", "\n".join(lines).encode(), content_type="text/csv")


def test_bulk_issue_previews_row_errors_and_issues_nothing(reviewer, programme, firm_a):
    uscc = FirmProfile.objects.get(organisation=firm_a).uscc
    client = client_for(reviewer)
    url = f"/review/programmes/{programme.pk}/issue/"
    r = client.post(
        url, {"file": _csv("统一社会信用代码,金额", f"{uscc},1000", "91330100799655058B,500")}
    )
    assert r.status_code == 302
    r = client.get(f"{url}preview/")
    html = r.content.decode()
    assert "No firm with this credit code is registered." in html
    assert 'data-testid="confirm-bulk"' not in html
    r = client.post(f"{url}confirm/")
    assert r.status_code == 400 and not Voucher.objects.exists()


def test_bulk_issue_confirm_issues_every_row(reviewer, programme, firm_a, firm_b):
    codes = [FirmProfile.objects.get(organisation=f).uscc for f in (firm_a, firm_b)]
    client = client_for(reviewer)
    url = f"/review/programmes/{programme.pk}/issue/"
    client.post(url, {"file": _csv(f"{codes[0]},1000", f"{codes[1]},250.50")})
    assert b'data-testid="confirm-bulk"' in client.get(f"{url}preview/").content
    r = client.post(f"{url}confirm/")
    assert r.status_code == 302
    assert sorted(Voucher.objects.values_list("face_fen", flat=True)) == [25_050, 100_000]


def test_an_unreadable_file_is_a_field_error(reviewer, programme):
    bad = SimpleUploadedFile("x.xlsx", b"not a workbook")
    r = client_for(reviewer).post(f"/review/programmes/{programme.pk}/issue/", {"file": bad})
    assert r.status_code == 400 and b"could not be read" in r.content


def test_bulk_issue_reads_an_excel_file(reviewer, programme, firm_a):
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["统一社会信用代码", "金额"])
    book.active.append([FirmProfile.objects.get(organisation=firm_a).uscc, 800])
    content = io.BytesIO()
    book.save(content)
    client = client_for(reviewer)
    url = f"/review/programmes/{programme.pk}/issue/"
    client.post(url, {"file": SimpleUploadedFile("issue.xlsx", content.getvalue())})
    assert "¥800.00" in client.get(f"{url}preview/").content.decode()
    assert client.post(f"{url}confirm/").status_code == 302
    assert Voucher.objects.get().face_fen == 800 * YUAN
