"""Forms of the catalogue pages. Money is typed in yuan here and handed on as fen."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderProfile
from facilities.models import Blackout, Instrument, Price, TestingService
from facilities.services.instruments import EDITABLE_FIELDS as INSTRUMENT_FIELDS
from facilities.services.testing_services import EDITABLE_FIELDS as SERVICE_FIELDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SORT_CHOICES = [
    ("relevance", _("Best match")),
    ("name", _("Name")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
    ("newest", _("Newest")),
]


def bootstrap(form) -> None:
    """Give every widget Bootstrap's classes (no template tag library needed)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class Bootstrapped:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


def yuan_field(label, *, required=False, help_text=""):
    return forms.DecimalField(label=label, required=required, min_value=Decimal(0), max_digits=14,
                              decimal_places=2, help_text=help_text)  # fmt: skip


def to_fen(value) -> int | None:
    return None if value is None else int((value * 100).quantize(Decimal(1)))


class CatalogueFilterForm(Bootstrapped, forms.Form):
    """Only renders the filters; the query string itself is parsed by the selectors."""

    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    city = forms.ChoiceField(label=_("City or county"), required=False)
    provider_kind = forms.ChoiceField(
        label=_("Provider kind"), required=False,
        choices=[("", _("All kinds")), *ProviderProfile.Kind.choices],
    )  # fmt: skip
    price_min = forms.DecimalField(label=_("From ¥"), required=False, min_value=0)
    price_max = forms.DecimalField(label=_("To ¥"), required=False, min_value=0)
    voucher = forms.BooleanField(label=_("Voucher eligible"), required=False)
    accredited = forms.BooleanField(label=_("CMA/CNAS accredited"), required=False)
    free_from = forms.DateTimeField(label=_("Free from"), required=False, widget=DATETIME)
    free_to = forms.DateTimeField(label=_("until"), required=False, widget=DATETIME)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, categories=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *categories]
        self.fields["city"].choices = [("", _("All of Zhejiang")), *regions]


class InstrumentForm(Bootstrapped, forms.ModelForm):
    original_value = yuan_field(_("Original value (¥)"))

    class Meta:
        model = Instrument
        fields = [f for f in INSTRUMENT_FIELDS if f != "original_value_fen"]
        widgets = {
            "start_of_use": DATE,
            **{f: forms.Textarea(attrs={"rows": 3}) for f in
               ("specifications", "main_uses", "service_content", "reference_fees")},
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["original_value"].initial = Decimal(self.instance.original_value_fen) / 100
        self.fields["category"].label_from_instance = lambda c: f"{'— ' * c.path.count('/')}{c}"

    def service_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in INSTRUMENT_FIELDS}
        data["original_value_fen"] = to_fen(self.cleaned_data.get("original_value")) or 0
        if not data.get("photo"):
            data.pop("photo", None)
        return data


class PricesForm(Bootstrapped, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Price.ClientGroup.choices:
            self.fields[value] = yuan_field(
                label, help_text=_("per hour; leave empty for no price")
            )

    def prices_fen(self) -> dict[str, int | None]:
        return {g: to_fen(self.cleaned_data.get(g)) for g in Price.ClientGroup.values}


class WeeklyHoursForm(Bootstrapped, forms.Form):
    """Up to two windows per weekday (e.g. morning and afternoon)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in range(7):
            for n in (1, 2):
                self.fields[f"d{day}_opens{n}"] = forms.TimeField(required=False, widget=TIME)
                self.fields[f"d{day}_closes{n}"] = forms.TimeField(required=False, widget=TIME)
        bootstrap(self)

    def weekly(self) -> list[tuple]:
        rows = []
        for day in range(7):
            for n in (1, 2):
                opens = self.cleaned_data.get(f"d{day}_opens{n}")
                closes = self.cleaned_data.get(f"d{day}_closes{n}")
                if opens or closes:
                    rows.append((day, opens, closes))
        return rows


class OpeningExceptionForm(Bootstrapped, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    is_closed = forms.BooleanField(label=_("Closed all day"), required=False, initial=True)
    opens_at = forms.TimeField(label=_("Opens at"), required=False, widget=TIME)
    closes_at = forms.TimeField(label=_("Closes at"), required=False, widget=TIME)
    note = forms.CharField(label=_("Remark"), required=False, max_length=200)


class BlackoutForm(Bootstrapped, forms.Form):
    start_at = forms.DateTimeField(label=_("Start"), widget=DATETIME)
    end_at = forms.DateTimeField(label=_("End"), widget=DATETIME)
    kind = forms.ChoiceField(label=_("Kind"), choices=Blackout.Kind.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class IcsUploadForm(Bootstrapped, forms.Form):
    file = forms.FileField(label=_("Calendar file (.ics)"))
    calendar = forms.TypedChoiceField(
        label=_("Calendar"), required=False, coerce=int, empty_value=None,
        help_text=_("A re-imported file updates the calendar of the same name by itself."),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), choices=Blackout.Kind.choices)

    def __init__(self, *args, calendars=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [
            ("", _("New, or the one named in the file")),
            *((c.pk, c.name) for c in calendars),
        ]


class QualificationForm(Bootstrapped, forms.Form):
    email = forms.EmailField(label=_("User's email"))
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Remark"), required=False, max_length=200)


class ServiceForm(Bootstrapped, forms.ModelForm):
    price = yuan_field(_("Price (¥)"), required=True)

    class Meta:
        model = TestingService
        fields = [f for f in SERVICE_FIELDS if f != "price_fen"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in
                   ("standards", "description", "sample_requirements")}  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["price"].initial = Decimal(self.instance.price_fen) / 100
        self.fields["category"].label_from_instance = lambda c: f"{'— ' * c.path.count('/')}{c}"

    def service_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in SERVICE_FIELDS}
        data["price_fen"] = to_fen(self.cleaned_data["price"])
        return data


class ImportForm(Bootstrapped, forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file lists"),
        choices=[("instruments", _("Instruments")), ("services", _("Testing services"))],
    )
    file = forms.FileField(label=_("CSV or XLSX file"))


class AccreditationForm(Bootstrapped, forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=[("cma", "CMA"), ("cnas", "CNAS")])
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=50)
    expires_on = forms.DateField(label=_("Expires on"), widget=DATE)
    scope = forms.CharField(
        label=_("Scope"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One entry a line: an item with its standards (电磁兼容 GB/T 9254.1-2021), "
                    "a standard, or an item. A service is in scope when one of its standards "
                    "or its name is listed."),
    )  # fmt: skip
