"""The target form of the tracker pages (the checks are tracker.services.targets')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import UsageKind

FIELD_MAP = {"region": "region_code", "period": "starts_on"}


class TargetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UsageKind.choices)
    region_code = forms.ChoiceField(label=_("Region"))
    starts_on = forms.DateField(
        label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    target_count = forms.IntegerField(label=_("Target"), min_value=1)

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = list(region_choices)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


def add_target_error(form: forms.Form, error) -> None:
    """A DomainError from the target services: field messages inline, the message on top."""
    for name, messages in (error.fields or {}).items():
        field = FIELD_MAP.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, str(message))
    form.add_error(None, str(error.message))
