"""Forms that parse the statement pages' input; the rules live in statements.services and
statements.invoices."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEXT = {"class": "form-control"}


class MonthField(forms.DateField):
    """An ``<input type="month">``: ``2026-11`` → the month's first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = forms.DateInput(format="%Y-%m", attrs={"class": "form-control", "type": "month"})


class IssueForm(forms.Form):
    firm = forms.ModelChoiceField(
        label=_("Firm"), queryset=None, empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    month = MonthField(label=_("Month"))

    def __init__(self, *args, firms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = firms
        self.fields["firm"].error_messages["invalid_choice"] = _(
            "This firm has no completed orders with you."
        )
        if not self.is_bound:
            self.initial.setdefault("month", timezone.localdate().replace(day=1))

    def clean_month(self) -> dt.date:
        return self.cleaned_data["month"].replace(day=1)


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
