from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _local(label):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60},
                                   format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Give the time you want."),
                        "invalid": _("Give a date and a time.")},
    )  # fmt: skip


class WaitlistForm(forms.Form):
    """A taken range the firm wants: local wall-clock times (Beijing time)."""

    start = _local(_("From"))
    end = _local(_("To"))
    purpose = forms.CharField(label=_("Purpose"), max_length=2000)


class KioskForm(forms.Form):
    """What the person at the instrument shows: a badge (read by a reader that types it)
    or the one-time code from the firm's booking page."""

    credential = forms.CharField(
        label=_("Badge or one-time code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True,
                                      "inputmode": "numeric"}),
    )  # fmt: skip


class InstrumentTokenForm(forms.Form):
    instrument = forms.TypedChoiceField(label=_("Instrument"), coerce=int)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. PC beside the XRD, room 301")}),
    )

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(i.pk, i.name) for i in instruments]
