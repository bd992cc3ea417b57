"""Forms that parse the claim pages' input; the rules live in vouchers.services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vouchers.models import Claim

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control", "type": "date"})


def last_month() -> tuple[dt.date, dt.date]:
    first_of_this = timezone.localdate().replace(day=1)
    end = first_of_this - dt.timedelta(days=1)
    return end.replace(day=1), end


class BuildForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), widget=DATE)


class InvoiceForm(forms.Form):
    invoice_number = forms.CharField(
        label=_("Invoice number"), max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DATE)
    invoice_amount = forms.DecimalField(
        label=_("Invoice amount (¥)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
    )  # fmt: skip
    invoice_type = forms.ChoiceField(
        label=_("Invoice type"), choices=Claim.InvoiceType.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    invoice_file = forms.FileField(
        label=_("Invoice file (PDF or image)"), required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.png,.jpg,.jpeg"}),
    )  # fmt: skip

    def amount_fen(self) -> int:
        return int(self.cleaned_data["invoice_amount"] * 100)


class ProofForm(forms.Form):
    file = forms.FileField(
        label=_("Proof of the firm's payment (PDF or image)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.png,.jpg,.jpeg"}),
    )  # fmt: skip
    line = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip


class DecideForm(ReasonForm):
    """The lines ticked come from ``request.POST.getlist("lines")``: the service checks
    they belong to the claim."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    payment_reference = forms.CharField(
        label=_("Payment reference"), max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip
