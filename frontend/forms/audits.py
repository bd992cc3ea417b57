"""Forms of the audit pages; the rules live in vouchers.services.audits."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.forms.claims import DATE


class DrawForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), widget=DATE)
    rate_percent = forms.DecimalField(
        label=_("Share to sample (%)"), min_value=Decimal("5"), max_value=Decimal("100"), decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5", "min": 5, "max": 100}),
    )  # fmt: skip
    seed = forms.IntegerField(
        label=_("Seed (leave empty for a random one)"), required=False, min_value=0, max_value=2**62,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )  # fmt: skip

    def rate_bp(self) -> int:
        return int(self.cleaned_data["rate_percent"] * 100)


class AuditResultForm(forms.Form):
    result = forms.ChoiceField(choices=[("fine", _("Fine")), ("problem", _("Problem"))])
    note = forms.CharField(required=False, max_length=2000)
    reverse_amount = forms.DecimalField(
        required=False, min_value=Decimal("0"), decimal_places=2, max_digits=14
    )
    block_firm = forms.BooleanField(required=False)
    block_provider = forms.BooleanField(required=False)

    def reverse_fen(self) -> int:
        amount = self.cleaned_data.get("reverse_amount") or Decimal("0")
        return int(amount * 100)
