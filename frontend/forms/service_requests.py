"""Forms that parse the testing-request pages' input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import ServiceRequest
from config.text import LONG_TEXT, SHORT_TEXT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class OrderForm(forms.Form):
    sample_count = forms.IntegerField(
        label=_("Number of samples"),
        min_value=1,
        max_value=1000,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 1000}),
    )
    sample_description = forms.CharField(
        label=_("Sample description"),
        max_length=LONG_TEXT,
        help_text=_("Material, form, size, quantity per sample, any hazards."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    standards = forms.CharField(
        label=_("Standards wanted"),
        max_length=SHORT_TEXT,
        required=False,
        help_text=_("One per line; leave empty to use the service's standards."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    delivery = forms.ChoiceField(
        label=_("Delivery"),
        choices=ServiceRequest.Delivery.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=ServiceRequest.Delivery.DROP_OFF,
    )
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    desired_date = forms.DateField(
        label=_("Desired date"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files of 10 MB: sample photos, material data sheets."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)


class ReceiveForm(forms.Form):
    condition = forms.CharField(required=False, max_length=2000)


class ReportForm(forms.Form):
    report_number = forms.CharField(max_length=60, required=False)
    report_file = forms.FileField(required=False)
    # The marks ticked (none ticked: none); the service checks them against the scopes.
    marks = forms.MultipleChoiceField(choices=[("cma", "CMA"), ("cnas", "CNAS")], required=False)
