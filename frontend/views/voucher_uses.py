"""The firm's own "uses of my vouchers": every captured voucher amount with its order,
provider and the claim holding it, what was reversed, and what public notices published
about the firm. Amounts are the ledger's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import render

from frontend.views.vouchers import _firm_id, _order_url
from vouchers import exports
from vouchers.selectors import uses as selectors

USES_PER_PAGE = 50


@login_required
def my_uses(request):
    firm_id = _firm_id(request)
    if firm_id is None:
        raise Http404
    entries = selectors.use_entries(request.user, firm_id=firm_id)
    page = Paginator(entries, USES_PER_PAGE).get_page(request.GET.get("page"))
    uses = selectors.uses_read(page.object_list)
    for use, entry in zip(uses, page.object_list, strict=True):
        use["url"] = _order_url(entry)
    total = entries.aggregate(s=Sum("amount_fen"))["s"] or 0
    firm_name = page.object_list[0].voucher.firm.name if uses else ""
    notices = selectors.notices_about_firm(firm_id, firm_name) if uses else []
    context = {"page": page, "uses": uses, "total_fen": total, "count": page.paginator.count,
               "notices": notices}  # fmt: skip
    return render(request, "frontend/vouchers/uses.html", context)


@login_required
def my_uses_export(request, fmt):
    firm_id = _firm_id(request)
    if firm_id is None or fmt not in exports.FORMATS:
        raise Http404
    entries = selectors.use_entries(request.user, firm_id=firm_id)
    return exports.uses_export(selectors.uses_iter(entries), fmt=fmt, name="my-voucher-uses")
