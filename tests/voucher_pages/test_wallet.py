"""The firm's wallet, a voucher's page and applying for quota."""

import pytest

from tests.conftest import client_for
from tests.voucher_pages.conftest import YUAN
from vouchers.models import LedgerEntry, VoucherApplication

pytestmark = pytest.mark.django_db


def test_wallet_shows_each_voucher_with_balances_rules_and_ledger(alice, voucher):
    r = client_for(alice).get("/vouchers/")
    assert r.status_code == 200
    html = r.content.decode()
    assert voucher.code in html
    assert "¥1,000.00" in html  # face value and available, from the voucher row
    assert "100% of a fee up to ¥500.00; 50% of the part above ¥500.00" in html
    assert "At most ¥2,000.00 per order." in html
    # The ledger timeline is loaded when the card's ledger is opened (htmx), not before.
    assert f'hx-get="/vouchers/{voucher.pk}/timeline/"' in html and 'data-kind="' not in html
    timeline = _timeline(alice, voucher)
    assert timeline.count('data-kind="issue"') == 1
    issued_by = LedgerEntry.objects.get(voucher=voucher, kind="issue").actor
    assert f"· {issued_by.display_name}" in timeline  # who moved the money


def _timeline(user, voucher) -> str:
    r = client_for(user).get(f"/vouchers/{voucher.pk}/timeline/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    return r.content.decode()


def test_another_firms_voucher_timeline_is_404_and_a_plain_visit_goes_to_the_voucher(
    alice, bob, voucher
):
    url = f"/vouchers/{voucher.pk}/timeline/"
    assert client_for(bob).get(url, HTTP_HX_REQUEST="true").status_code == 404
    r = client_for(alice).get(url)  # opened without htmx: the voucher's own page
    assert r.status_code == 302 and r["Location"] == f"/vouchers/{voucher.pk}/"


def test_voucher_page_shows_its_ledger(alice, voucher):
    r = client_for(alice).get(f"/vouchers/{voucher.pk}/")
    assert r.status_code == 200 and b'data-testid="ledger"' in r.content
    issued_by = LedgerEntry.objects.get(voucher=voucher, kind="issue").actor
    assert f"· {issued_by.display_name}" in r.content.decode()


def test_another_firms_voucher_is_404(bob, voucher):
    assert client_for(bob).get(f"/vouchers/{voucher.pk}/").status_code == 404
    assert voucher.code.encode() not in client_for(bob).get("/vouchers/").content


def test_wallet_query_count_is_pinned(alice, firm_a, issue, django_assert_max_num_queries):
    for _ in range(8):
        issue(firm_a, yuan=500)
    client = client_for(alice)
    with django_assert_max_num_queries(14):  # constant, whatever the number of vouchers
        r = client.get("/vouchers/")
    assert r.status_code == 200 and r.content.count(b'data-testid="voucher"') == 8


def test_firm_applies_for_quota_and_sees_the_state(alice, firm_a, programme):
    client = client_for(alice)
    wallet = client.get("/vouchers/").content.decode()
    assert f"/vouchers/programmes/{programme.pk}/apply/" in wallet
    r = client.post(
        f"/vouchers/programmes/{programme.pk}/apply/",
        {"amount": "3,000", "purpose": "电池外壳材料检测"},
    )
    assert r.status_code == 302
    application = VoucherApplication.objects.get(firm=firm_a)
    assert application.amount_fen == 3_000 * YUAN and application.status == "submitted"
    assert "¥3,000.00" in client.get("/vouchers/").content.decode()


def test_a_refused_application_is_explained_on_the_form_with_the_input_kept(alice, programme):
    client = client_for(alice)
    url = f"/vouchers/programmes/{programme.pk}/apply/"
    client.post(url, {"amount": "1000", "purpose": "first"})
    r = client.post(url, {"amount": "2000", "purpose": "second"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "already has an application waiting" in html and "second" in html
    r = client.post(url, {"amount": "lots", "purpose": "x"})
    assert r.status_code == 400 and b"Enter an amount in yuan" in r.content


def test_a_manager_without_a_firm_sees_a_hint_not_a_500(manager, programme):
    assert b"Vouchers belong to a firm" in client_for(manager).get("/vouchers/").content
    r = client_for(manager).post(
        f"/vouchers/programmes/{programme.pk}/apply/", {"amount": "100", "purpose": "x"}
    )
    assert r.status_code == 400 and not VoucherApplication.objects.exists()


def test_ledger_amounts_on_the_wallet_are_the_ledger_rows(alice, voucher):
    html = _timeline(alice, voucher)
    for entry in LedgerEntry.objects.filter(voucher=voucher):
        assert f"¥{entry.amount_fen // 100:,}.{entry.amount_fen % 100:02d}" in html


def test_a_busy_vouchers_wallet_card_shows_its_latest_movements_and_links_the_rest(alice, voucher):
    """The wallet's timeline does not grow with a voucher's ledger: the latest ten
    movements, the whole count, and a link to the voucher's page, which has them all."""
    from vouchers.ledger import ledger_move

    for n in range(14):  # 1 issue + 14 moves, alternating hold and release of ¥1
        ledger_move(voucher, kind="hold" if n % 2 == 0 else "release", amount_fen=100,
                    note=f"move {n}")  # fmt: skip
    assert LedgerEntry.objects.filter(voucher=voucher).count() == 15
    html = _timeline(alice, voucher)
    assert html.count('data-kind="') == 10
    assert "move 13" in html and "move 4" in html and "move 3" not in html  # the latest ten
    assert 'data-testid="ledger-more"' in html
    assert f'href="/vouchers/{voucher.pk}/">See the whole ledger (15 movements)' in html
    page = client_for(alice).get(f"/vouchers/{voucher.pk}/").content.decode()
    assert page.count('data-kind="') == 15 and 'data-testid="ledger-more"' not in page
    assert "Ledger: 15 movements" in page
