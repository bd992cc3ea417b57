"""Programmes are run by their issuer's reviewers, for their own region, and versioned
once published; applications and bulk issues go through the programme's budget."""

import io

import pytest
from openpyxl import Workbook

from accounts.models import FirmProfile
from config.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from tests.factories.accounts import make_firm, make_reviewer, member_of
from tests.vouchers.conftest import RULES, YUAN, department_of, ledger_agrees, make_programme
from vouchers.models import LedgerEntry, Programme, ProgrammeChange, Voucher
from vouchers.services import applications, bulk_issue, issuing, programmes
from vouchers.services.bulk_issue import bulk_rows_parse

pytestmark = pytest.mark.django_db


def test_a_published_programme_keeps_its_history_and_versions(reviewer):
    programme = make_programme(reviewer)
    assert (programme.status, programme.version) == ("published", 1)
    programmes.programme_pause(actor=reviewer, programme_id=programme.pk, reason="预算调整")
    programmes.programme_publish(actor=reviewer, programme_id=programme.pk)
    programmes.programme_update(actor=reviewer, programme_id=programme.pk,
                                rules={**RULES, "cap_per_order_fen": 1000 * YUAN})  # fmt: skip
    programme.refresh_from_db()
    assert programme.version == 2
    assert [v.rules["cap_per_order_fen"] for v in programme.versions.all()] == [
        2000 * YUAN,
        1000 * YUAN,
    ]
    moves = list(
        ProgrammeChange.objects.filter(programme=programme).values_list("from_status", "to_status")
    )
    assert moves == [
        ("", "draft"),
        ("draft", "published"),
        ("published", "paused"),
        ("paused", "published"),
    ]


def test_a_draft_changes_in_place(reviewer):
    programme = make_programme(reviewer, publish=False)
    programmes.programme_update(actor=reviewer, programme_id=programme.pk, name="新名字",
                                rules={**RULES, "cap_per_order_fen": 1000 * YUAN})  # fmt: skip
    programme.refresh_from_db()
    assert (programme.name, programme.version, programme.versions.count()) == ("新名字", 0, 0)


def test_closed_programme_cannot_reopen(reviewer):
    programme = make_programme(reviewer)
    programmes.programme_close(actor=reviewer, programme_id=programme.pk)
    with pytest.raises(InvalidTransition):
        programmes.programme_publish(actor=reviewer, programme_id=programme.pk)


def test_another_departments_reviewer_cannot_touch_it(reviewer):
    programme = make_programme(reviewer)
    stranger = make_reviewer("330000")
    with pytest.raises(NotFound):
        programmes.programme_pause(actor=stranger, programme_id=programme.pk)
    with pytest.raises(Forbidden):
        make_programme(stranger, issuer_id=department_of(reviewer).pk)


def test_a_city_bureau_runs_programmes_for_its_city_only():
    hangzhou = make_reviewer("330100")
    make_programme(hangzhou, region_code="330106")
    with pytest.raises(Invalid) as info:
        make_programme(hangzhou, region_code="330200")
    assert info.value.code == "region_outside_scope"


def test_bad_rules_explain_each_field(reviewer):
    with pytest.raises(Invalid) as info:
        make_programme(reviewer, rules={"tiers": [], "voucher_valid_days": 0})
    assert set(info.value.fields) == {"tiers", "voucher_valid_days"}


def test_application_approved_for_less_issues_that_voucher(reviewer, programme, alice, firm_a):
    application = applications.application_submit(actor=alice, programme_id=programme.pk,
                                                  firm_id=firm_a.pk, amount_fen=3000 * YUAN,
                                                  purpose="新材料检测")  # fmt: skip
    with pytest.raises(Conflict) as info:
        applications.application_submit(actor=alice, programme_id=programme.pk, firm_id=firm_a.pk,
                                        amount_fen=1 * YUAN, purpose="again")  # fmt: skip
    assert info.value.code == "application_already_open"
    applications.application_approve(actor=reviewer, application_id=application.pk,
                                     amount_fen=2000 * YUAN, reason="按预算核减")  # fmt: skip
    voucher = Voucher.objects.get(application=application)
    assert (voucher.face_fen, voucher.available_fen) == (2000 * YUAN, 2000 * YUAN)
    assert Programme.objects.get(pk=programme.pk).issued_fen == 2000 * YUAN
    ledger_agrees(voucher)
    with pytest.raises(InvalidTransition):
        applications.application_reject(actor=reviewer, application_id=application.pk, reason="x")


def test_rejection_needs_a_reason(reviewer, programme, alice, firm_a):
    application = applications.application_submit(actor=alice, programme_id=programme.pk,
                                                  firm_id=firm_a.pk, amount_fen=100 * YUAN,
                                                  purpose="检测")  # fmt: skip
    with pytest.raises(Invalid):
        applications.application_reject(actor=reviewer, application_id=application.pk, reason=" ")
    applications.application_reject(
        actor=reviewer, application_id=application.pk, reason="材料不全"
    )
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("rejected", "材料不全")


def test_an_unverified_firm_cannot_apply(programme):
    firm = make_firm(verification=FirmProfile.Verification.PENDING)
    with pytest.raises(Invalid) as info:
        applications.application_submit(actor=member_of(firm), programme_id=programme.pk,
                                         firm_id=firm.pk, amount_fen=100, purpose="x")  # fmt: skip
    assert info.value.code == "firm_not_verified"


def test_a_firm_cannot_apply_for_another(programme, alice, firm_b):
    with pytest.raises(NotFound):
        applications.application_submit(actor=alice, programme_id=programme.pk, firm_id=firm_b.pk,
                                        amount_fen=100, purpose="x")  # fmt: skip


def test_issuing_beyond_the_budget_is_a_conflict(reviewer, firm_a, firm_b):
    programme = make_programme(reviewer, budget_yuan=1500)
    issuing.voucher_issue(
        actor=reviewer, programme_id=programme.pk, firm_id=firm_a.pk, amount_fen=1000 * YUAN
    )
    with pytest.raises(Conflict) as info:
        issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=firm_b.pk,
                              amount_fen=501 * YUAN)  # fmt: skip
    assert info.value.code == "over_budget"


def test_caps_held_and_yearly_refuse_an_issue(reviewer, firm_a):
    programme = make_programme(reviewer, rules={**RULES, "cap_held_fen": 1000 * YUAN})
    issuing.voucher_issue(
        actor=reviewer, programme_id=programme.pk, firm_id=firm_a.pk, amount_fen=800 * YUAN
    )
    with pytest.raises(Invalid) as info:
        issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=firm_a.pk,
                              amount_fen=300 * YUAN)  # fmt: skip
    assert info.value.code == "over_cap_held"


def _csv(*rows) -> bytes:
    return ("credit code,amount\n" + "\n".join(",".join(r) for r in rows)).encode()


def test_bulk_preview_lists_each_rows_problem_and_confirm_is_all_or_nothing(
    reviewer, firm_a, firm_b
):
    programme = make_programme(reviewer, budget_yuan=6000)
    pending = make_firm(verification=FirmProfile.Verification.PENDING)
    a, b, p = (f.firm.uscc for f in (firm_a, firm_b, pending))
    rows = bulk_rows_parse(_csv((a, "3000"), (b, "2500"), ("91330100799655058B", "10"), (p, "10"),
                                (b, "2000"), (a, "abc")), "issue.csv")  # fmt: skip
    preview = bulk_issue.bulk_issue_preview(actor=reviewer, programme_id=programme.pk, rows=rows)
    codes = [[e["code"] for e in r.errors] for r in preview.rows]
    # b's second row breaks the yearly cap (¥5,000): 2,500 + 2,000 is fine, the budget is not
    assert codes == [
        [],
        [],
        ["firm_unknown"],
        ["firm_not_verified"],
        ["over_budget"],
        ["bad_amount"],
    ]
    with pytest.raises(Invalid) as info:
        bulk_issue.bulk_issue_confirm(actor=reviewer, programme_id=programme.pk, rows=rows)
    assert info.value.code == "bulk_rows_invalid"
    assert not Voucher.objects.exists()
    good = bulk_rows_parse(_csv((a, "3000"), (b, "2500.50")), "issue.csv")
    _, vouchers = bulk_issue.bulk_issue_confirm(
        actor=reviewer, programme_id=programme.pk, rows=good
    )
    assert [v.face_fen for v in vouchers] == [3000 * YUAN, 250050]
    assert LedgerEntry.objects.filter(kind="issue").count() == 2
    assert Programme.objects.get(pk=programme.pk).issued_fen == 550050


def test_bulk_reads_xlsx(reviewer, firm_a, programme):
    book = Workbook()
    book.active.append(["统一社会信用代码", "金额"])
    book.active.append([firm_a.firm.uscc, 1200])
    content = io.BytesIO()
    book.save(content)
    rows = bulk_rows_parse(content.getvalue(), "issue.xlsx")
    assert [(r.uscc, r.amount_fen) for r in rows] == [(firm_a.firm.uscc, 1200 * YUAN)]


def test_bulk_unreadable_file_is_a_400():
    with pytest.raises(Invalid) as info:
        bulk_rows_parse(b"\x00\xff garbage", "issue.xlsx")
    assert info.value.code == "bulk_file_unreadable"
