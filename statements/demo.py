"""Demo statements: the demo lab's statements to the demo firm for the last months that
have completed orders, issued as the month-end task would, and one invoice already asked
for and issued, so both sides' pages show the whole flow on first start. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Membership, User
from config.errors import Conflict
from statements import invoices
from statements.models import InvoiceRequest, Statement
from statements.services import month_start, statement_issue

MONTHS_BACK = 3


def _organisation(email: str, role: str):
    membership = Membership.objects.filter(user__email=email, role=role).select_related(
        "organisation", "user"
    ).first()  # fmt: skip
    return (membership.organisation, membership.user) if membership else (None, None)


def seed_statements_demo() -> list[Statement]:
    firm, firm_user = _organisation(accounts_demo.FIRM_EMAIL, Membership.Role.FIRM_MEMBER)
    provider, lab_user = _organisation(accounts_demo.LAB_EMAIL, Membership.Role.LAB_MANAGER)
    if firm is None or provider is None:
        return []
    if Statement.objects.filter(provider=provider, firm=firm).exists():
        return []
    issued = []
    month = month_start(timezone.localdate())
    for _ in range(MONTHS_BACK):
        month = month_start(month - dt.timedelta(days=1))
        try:
            issued.append(statement_issue(actor=None, provider_id=provider.pk,
                                          firm_id=firm.pk, month=month))  # fmt: skip
        except Conflict:
            continue  # no completed orders that month
    _invoice_demo(issued, firm_user, lab_user)
    return issued


def _invoice_demo(issued: list[Statement], firm_user: User, lab_user: User) -> None:
    payable = [s for s in issued if s.firm_fen > 0]
    if not payable or InvoiceRequest.objects.filter(statement__in=payable).exists():
        return
    oldest = payable[-1]
    profile = getattr(oldest.firm, "firm_profile", None)
    request = invoices.invoice_request_create(
        actor=firm_user, statement_id=oldest.pk, title=oldest.firm.name,
        tax_number=getattr(profile, "uscc", "") or "91330100799655058B",
        address="杭州市西湖区文三路 90 号 0571-88886666", bank="中国银行杭州高新支行 3566 5820 1234",
    )  # fmt: skip
    invoices.invoice_issue(actor=lab_user, request_id=request.pk,
                           invoice_number=f"3300{oldest.month:%y%m}0001", reason="电子发票已发送至邮箱")  # fmt: skip
