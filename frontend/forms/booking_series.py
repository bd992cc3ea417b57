"""Forms of the series, move and on-behalf pages: local wall-clock inputs (Beijing time),
turned into aware instants here so the services only see what they always see."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import BookingSeries
from booking.services.series_rules import MAX_OCCURRENCES, SeriesRule

WEEKDAY_CHOICES = [
    (0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat")),
    (6, _("Sun")),
]  # fmt: skip


def _date(label, required=True):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip


def _time(label):
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"},
                                                               format="%H:%M"))  # fmt: skip


class StyledForm(forms.Form):
    """Widgets carry Bootstrap's classes, and a field with an error is marked invalid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select) and not isinstance(
                widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-control")

    def add_error(self, field, error):
        super().add_error(field, error)
        if field in self.fields:
            css = self.fields[field].widget.attrs.get("class", "")
            if "is-invalid" not in css:
                self.fields[field].widget.attrs["class"] = f"{css} is-invalid".strip()


class RangeForm(StyledForm):
    """A day and a start and end time on it."""

    day = _date(_("Date"))
    start_time = _time(_("From"))
    end_time = _time(_("To"))

    def clean(self):
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["end_time"] <= data["start_time"]
        ):
            self.add_error("end_time", _("The end must be after the start."))
        return data

    def instants(self, day=None) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        day = day or self.cleaned_data["day"]
        return (
            dt.datetime.combine(day, self.cleaned_data["start_time"], tzinfo=tz),
            dt.datetime.combine(day, self.cleaned_data["end_time"], tzinfo=tz),
        )


class SeriesForm(RangeForm):
    day = _date(_("First date"))
    frequency = forms.ChoiceField(
        label=_("Repeats"), choices=BookingSeries.Frequency.choices, initial="weekly"
    )
    interval = forms.IntegerField(label=_("Every"), min_value=1, max_value=30, initial=1)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"), choices=WEEKDAY_CHOICES, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    ends = forms.ChoiceField(
        label=_("Ends"), choices=[("until", _("On a date")), ("count", _("After a number of times"))],
        initial="until", widget=forms.RadioSelect,
    )  # fmt: skip
    until = _date(_("Last date"), required=False)
    count = forms.IntegerField(label=_("Times"), min_value=1, max_value=MAX_OCCURRENCES,
                               required=False)  # fmt: skip
    purpose = forms.CharField(label=_("Purpose"), max_length=2000, required=False)
    mode = forms.ChoiceField(
        label=_("If some dates are not free"), choices=BookingSeries.Mode.choices,
        initial="free", widget=forms.RadioSelect, required=False,
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        # The choice shows with the preview; the first preview comes before it.
        data["mode"] = data.get("mode") or BookingSeries.Mode.FREE_ONLY
        if data.get("ends") == "until" and not data.get("until"):
            self.add_error("until", _("Give the last date."))
        if data.get("ends") == "count" and not data.get("count"):
            self.add_error("count", _("Give the number of times."))
        return data

    def rule(self) -> SeriesRule:
        start, end = self.instants()
        data = self.cleaned_data
        return SeriesRule(
            frequency=data["frequency"], first_start_at=start,
            minutes=int((end - start).total_seconds() // 60), interval=data["interval"] or 1,
            weekdays=tuple(data["weekdays"] or ()),
            until=data["until"] if data["ends"] == "until" else None,
            count=data["count"] if data["ends"] == "count" else None,
        )  # fmt: skip


class MoveForm(RangeForm):
    instrument = forms.TypedChoiceField(label=_("Instrument"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(i.pk, i.name) for i in instruments]


class OnBehalfForm(RangeForm):
    instrument = forms.TypedChoiceField(label=_("Instrument"), coerce=int)
    firm_code = forms.CharField(
        label=_("Firm's unified social credit code"), max_length=18, min_length=18
    )
    member_email = forms.EmailField(label=_("Firm member who will use it (e-mail)"),
                                    required=False)  # fmt: skip
    purpose = forms.CharField(label=_("Purpose"), max_length=2000)

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(i.pk, i.name) for i in instruments]
