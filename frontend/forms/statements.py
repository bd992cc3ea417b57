"""Forms that parse the statement pages' input; the rules live in statements.services and
statements.invoices."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEXT = {"class": "form-control"}


MONTHS_OFFERED = 24


def recent_months(today: dt.date | None = None) -> list[tuple[str, str]]:
    """This month and the 23 before it, newest first, as ("2026-11", "2026年11月") choices:
    a plain select, not the browser's month picker (which speaks the browser's language)."""
    month = (today or timezone.localdate()).replace(day=1)
    choices = []
    for _step in range(MONTHS_OFFERED):
        choices.append((f"{month:%Y-%m}", _("%(year)s-%(month)02d") % {"year": month.year,
                                                                        "month": month.month}))  # fmt: skip
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return choices


class IssueForm(forms.Form):
    firm = forms.ModelChoiceField(
        label=_("Firm"), queryset=None, empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    month = forms.ChoiceField(label=_("Month"), widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, firms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = firms
        self.fields["firm"].error_messages["invalid_choice"] = _(
            "This firm has no completed orders with you."
        )
        self.fields["month"].choices = recent_months()

    def clean_month(self) -> dt.date:
        return dt.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()  # noqa: DTZ007


class InvoiceRequestForm(forms.Form):
    title = forms.CharField(label=_("Invoice title"), max_length=200,
                            widget=forms.TextInput(attrs=TEXT))  # fmt: skip
    tax_number = forms.CharField(
        label=_("Taxpayer number"), max_length=30,
        widget=forms.TextInput(attrs={**TEXT, "autocapitalize": "characters"}),
    )  # fmt: skip
    address = forms.CharField(label=_("Address and phone"), max_length=300,
                              widget=forms.TextInput(attrs=TEXT))  # fmt: skip
    bank = forms.CharField(label=_("Bank and account"), max_length=300,
                           widget=forms.TextInput(attrs=TEXT))  # fmt: skip


class InvoiceIssueForm(forms.Form):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=40,
                                     widget=forms.TextInput(attrs=TEXT))  # fmt: skip
    reason = forms.CharField(label=_("Note"), required=False, max_length=2000,
                             widget=forms.TextInput(attrs=TEXT))  # fmt: skip


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.TextInput(attrs=TEXT))  # fmt: skip
