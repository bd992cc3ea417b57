from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BookingForm(forms.Form):
    """The picked range arrives as ISO 8601 instants from the calendar's hidden inputs."""

    start = forms.DateTimeField(widget=forms.HiddenInput)
    end = forms.DateTimeField(widget=forms.HiddenInput)

    def problem(self) -> str:
        """What is wrong, in one sentence the page shows above the calendar."""
        if "start" in self.errors or "end" in self.errors:
            if not self.data.get("start") or not self.data.get("end"):
                return str(_("Pick a time on the calendar first: no slot was chosen."))
            return str(_("The chosen time could not be read. Pick the slots again."))
        return " ".join(str(e) for errors in self.errors.values() for e in errors)

    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("e.g. FTIR spectra of 6 polymer film samples")}
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


def _local_input(label, required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Give the time: it is what the fee is computed from.")},
    )


class CheckInForm(forms.Form):
    """The session log's opening. The bounds (window, never future, operator a member of
    the lab) are the service's; the operator list only offers the lab's members."""

    actual_start = _local_input(_("Actual start"))
    operator = forms.TypedChoiceField(label=_("Operator"), coerce=int, required=False)
    notes = forms.CharField(label=_("Session notes"), max_length=2000, required=False)

    def __init__(self, *args, operators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [("", _("Me"))] + [
            (u.pk, u.display_name) for u in operators
        ]


class CheckOutForm(forms.Form):
    actual_end = _local_input(_("Actual end"))
    notes = forms.CharField(label=_("Session notes"), max_length=2000, required=False)
