"""Forms of the voucher pages. They only parse what people type (yuan, percentages) into
the services' units (fen, basis points); every rule and refusal lives in vouchers/."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Region
from config.money import format_fen, yuan_to_fen
from facilities.models import Category
from vouchers.models import Programme
from vouchers.services.programmes import FLAG_DEFAULTS

TIER_ROWS = 4
LOCATIONS = (
    ("same_county", _("Provider in the firm's county")),
    ("same_city", _("Provider in the firm's city")),
    ("same_province", _("Provider in the firm's province")),
    ("elsewhere", _("Provider outside the province")),
)
ORDER_KINDS = (("booking", _("Instrument use")), ("service_request", _("Testing services")))
PROVIDER_SCOPES = (
    ("all", _("All registered providers")),
    ("region", _("Providers in the programme's region")),
    ("named", _("Only the providers named below")),
)
FIRM_SIZES = (("small", _("Small firms")), ("micro", _("Micro firms")))


def _text(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _yuan_field(label, required=False, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=20, help_text=help_text,
        widget=_text(inputmode="decimal", placeholder="¥"),
    )  # fmt: skip


def _pct_field(label, required=False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=8, widget=_text(inputmode="decimal")
    )


def parse_yuan(value: str) -> int | None:
    """Typed yuan → fen; None when empty. ValidationError when it is not money."""
    if value in (None, ""):
        return None
    try:
        return yuan_to_fen(value)
    except ValueError:
        raise forms.ValidationError(_("Enter an amount in yuan, e.g. 10000.")) from None


def parse_pct(value: str) -> int | None:
    """Typed percent ("50", "12.5%") → basis points; None when empty."""
    if value in (None, ""):
        return None
    try:
        bp = Decimal(str(value).replace("%", "").strip()) * 100
    except InvalidOperation:
        raise forms.ValidationError(_("Enter a percentage, e.g. 50.")) from None
    if not bp.is_finite() or bp != bp.to_integral_value():
        raise forms.ValidationError(_("Enter a percentage with at most two decimals."))
    return int(bp)


def yuan_text(fen: int | None) -> str:
    """Fen as the plain yuan a person would type back (no ¥, no thousands separators)."""
    return "" if fen is None else format_fen(fen).replace("¥", "").replace(",", "")


def pct_text(bp: int | None) -> str:
    return "" if bp is None else f"{Decimal(bp) / 100:g}"


class ProgrammeForm(forms.Form):
    """A programme's fields and its rules as data (``rules()`` builds the rules JSON)."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=Programme.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=200, widget=_text())
    description = forms.CharField(
        label=_("Description"), required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )  # fmt: skip
    region = forms.ChoiceField(
        label=_("Region"), widget=forms.Select(attrs={"class": "form-select"})
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control", "type": "date"}),
    )
    valid_to = forms.DateField(
        label=_("Valid to"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control", "type": "date"}),
    )
    applications_open_on = forms.DateField(
        label=_("Applications open on"), required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control", "type": "date"}),
    )  # fmt: skip
    applications_close_on = forms.DateField(
        label=_("Applications close on"), required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control", "type": "date"}),
    )  # fmt: skip
    budget = _yuan_field(_("Total budget (yuan)"), required=True)
    location_based = forms.BooleanField(
        label=_("The share depends on where the provider is, not on the fee"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    cap_per_order = _yuan_field(_("Cap per order (yuan)"))
    cap_held = _yuan_field(_("Cap held by one firm at once (yuan)"))
    cap_per_year = _yuan_field(_("Cap per firm per year (yuan)"))
    cap_per_controller = forms.BooleanField(
        label=_("Firms with the same actual controller share the yearly cap"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    voucher_valid_days = forms.IntegerField(
        label=_("Validity of an issued voucher (days)"), min_value=1, max_value=3660, initial=90,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    flag_near_cap_pct = forms.IntegerField(
        label=_("Flag a voucher part from this share of the per-order cap, in percent"),
        min_value=50, max_value=99, initial=90, required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    flag_many_orders = forms.IntegerField(
        label=_("Flag this many orders between one firm and one provider in a claim"),
        min_value=2, max_value=10_000, initial=10, required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    flag_short_session_pct = forms.IntegerField(
        label=_("Flag a session shorter than this share of the booked time, in percent"),
        min_value=1, max_value=99, initial=50, required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    order_kinds = forms.MultipleChoiceField(
        label=_("Pays for"), choices=ORDER_KINDS, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    categories_included = forms.MultipleChoiceField(
        label=_("Only these categories (none: every category)"), required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
    )  # fmt: skip
    categories_excluded = forms.MultipleChoiceField(
        label=_("Never these categories"), required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
    )  # fmt: skip
    exclude_statutory = forms.BooleanField(
        label=_("Exclude mandatory and statutory testing"), required=False, initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    providers = forms.ChoiceField(
        label=_("Providers accepted"), choices=PROVIDER_SCOPES, initial="all",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    provider_ids = forms.MultipleChoiceField(
        label=_("Named providers"), required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
    )  # fmt: skip
    outside_province = forms.BooleanField(
        label=_("Also providers outside the province (通用通兑)"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    firm_sizes = forms.MultipleChoiceField(
        label=_("Firms served"), choices=FIRM_SIZES, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    note = forms.CharField(
        label=_("What changed (recorded with the new rules version)"), required=False,
        max_length=500, widget=_text(),
    )  # fmt: skip

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, str(r)) for r in regions]
        categories = [(c.code, f"{c.code} · {c}") for c in Category.objects.order_by("path")]
        self.fields["categories_included"].choices = categories
        self.fields["categories_excluded"].choices = categories
        self.fields["provider_ids"].choices = [
            (str(pk), name)
            for pk, name in Organisation.objects.filter(
                kind=Organisation.Kind.PROVIDER, is_active=True
            ).values_list("pk", "name")
        ]
        for i in range(1, TIER_ROWS + 1):
            self.fields[f"tier_{i}_up_to"] = _yuan_field(_("Up to (yuan; empty: no upper end)"))
            self.fields[f"tier_{i}_pct"] = _pct_field(_("Share (%)"), required=(i == 1))
        for code, label in LOCATIONS:
            self.fields[f"location_{code}"] = _pct_field(label)
        # Errors the rules give for a whole group of inputs (the bands, the locations).
        self.group_errors: dict[str, list[str]] = {}

    def tier_rows(self):
        return [(self[f"tier_{i}_up_to"], self[f"tier_{i}_pct"]) for i in range(1, TIER_ROWS + 1)]

    def location_rows(self):
        return [self[f"location_{code}"] for code, _label in LOCATIONS]

    def clean(self):
        data = super().clean()
        for name in ("budget", "cap_per_order", "cap_held", "cap_per_year"):
            self._parse(data, name, parse_yuan)
        for i in range(1, TIER_ROWS + 1):
            self._parse(data, f"tier_{i}_up_to", parse_yuan)
            self._parse(data, f"tier_{i}_pct", parse_pct)
        for code, _label in LOCATIONS:
            self._parse(data, f"location_{code}", parse_pct)
        return data

    def _parse(self, data, name, parse) -> None:
        if name in self.errors:
            return
        try:
            data[name] = parse(data.get(name))
        except forms.ValidationError as exc:
            self.add_error(name, exc)

    def rules(self) -> dict:
        data = self.cleaned_data
        tiers = [
            {"up_to_fen": data[f"tier_{i}_up_to"], "ratio_bp": data[f"tier_{i}_pct"]}
            for i in range(1, TIER_ROWS + 1)
            if data.get(f"tier_{i}_pct") is not None or data.get(f"tier_{i}_up_to") is not None
        ]
        location = None
        if data.get("location_based"):
            location = {code: data.get(f"location_{code}") for code, _label in LOCATIONS}
        return {
            "tiers": tiers,
            "location_ratio_bp": location,
            "cap_per_order_fen": data.get("cap_per_order"),
            "cap_held_fen": data.get("cap_held"),
            "cap_per_year_fen": data.get("cap_per_year"),
            "cap_per_controller": data.get("cap_per_controller", False),
            "voucher_valid_days": data.get("voucher_valid_days"),
            "order_kinds": data.get("order_kinds", []),
            "categories_included": data.get("categories_included", []),
            "categories_excluded": data.get("categories_excluded", []),
            "exclude_statutory": data.get("exclude_statutory", False),
            "providers": data.get("providers"),
            "provider_ids": [int(p) for p in data.get("provider_ids", [])],
            "outside_province": data.get("outside_province", False),
            "firm_sizes": data.get("firm_sizes", []),
        }

    def fields_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data.get("description", ""),
            "budget_fen": data["budget"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "applications_open_on": data.get("applications_open_on"),
            "applications_close_on": data.get("applications_close_on"),
            # empty: the model's default
            "flag_near_cap_pct": data.get("flag_near_cap_pct")
            or FLAG_DEFAULTS["flag_near_cap_pct"],
            # empty: the model's default
            "flag_many_orders": data.get("flag_many_orders") or FLAG_DEFAULTS["flag_many_orders"],
            # empty: the model's default
            "flag_short_session_pct": data.get("flag_short_session_pct")
            or FLAG_DEFAULTS["flag_short_session_pct"],
        }

    def add_domain_error(self, error) -> None:
        """The service's refusal next to the inputs it is about, and on top of the form."""
        for name, messages in (error.fields or {}).items():
            target = FIELD_MAP.get(name, name)
            if target in GROUPS:
                self.group_errors.setdefault(target, []).extend(str(m) for m in messages)
            elif target in self.fields:
                for message in messages:
                    self.add_error(target, str(message))
        self.add_error(None, str(error.message))


# Service field names → form field names or groups of inputs.
FIELD_MAP = {
    "budget_fen": "budget",
    "cap_per_order_fen": "cap_per_order",
    "cap_held_fen": "cap_held",
    "cap_per_year_fen": "cap_per_year",
    "location_ratio_bp": "locations",
}
GROUPS = ("tiers", "locations")


def programme_initial(programme: Programme) -> dict:
    """The form's values for an existing programme, in yuan and percent."""
    rules = programme.rules or {}
    initial = {
        "kind": programme.kind, "name": programme.name, "description": programme.description,
        "region": programme.region_id, "valid_from": programme.valid_from,
        "valid_to": programme.valid_to, "applications_open_on": programme.applications_open_on,
        "applications_close_on": programme.applications_close_on,
        "budget": yuan_text(programme.budget_fen),
        "cap_per_order": yuan_text(rules.get("cap_per_order_fen")),
        "cap_held": yuan_text(rules.get("cap_held_fen")),
        "cap_per_year": yuan_text(rules.get("cap_per_year_fen")),
        "cap_per_controller": rules.get("cap_per_controller", False),
        "voucher_valid_days": rules.get("voucher_valid_days", 90),
        "order_kinds": rules.get("order_kinds", []),
        "categories_included": rules.get("categories_included", []),
        "categories_excluded": rules.get("categories_excluded", []),
        "exclude_statutory": rules.get("exclude_statutory", True),
        "providers": rules.get("providers", "all"),
        "provider_ids": [str(p) for p in rules.get("provider_ids", [])],
        "outside_province": rules.get("outside_province", False),
        "firm_sizes": rules.get("firm_sizes", []),
        "location_based": bool(rules.get("location_ratio_bp")),
        "flag_near_cap_pct": programme.flag_near_cap_pct,
        "flag_many_orders": programme.flag_many_orders,
        "flag_short_session_pct": programme.flag_short_session_pct,
    }  # fmt: skip
    for i, band in enumerate(rules.get("tiers", [])[:TIER_ROWS], start=1):
        initial[f"tier_{i}_up_to"] = yuan_text(band.get("up_to_fen"))
        initial[f"tier_{i}_pct"] = pct_text(band.get("ratio_bp"))
    for code, bp in (rules.get("location_ratio_bp") or {}).items():
        initial[f"location_{code}"] = pct_text(bp)
    return initial


def programme_regions(region_prefixes: tuple[str, ...], is_admin: bool):
    """The regions a reviewer may run programmes for (the province, cities, counties)."""
    qs = Region.objects.order_by("code")
    if is_admin:
        return list(qs)
    return [r for r in qs if any(r.code.startswith(p) for p in region_prefixes)]


class ApplicationForm(forms.Form):
    """A firm asks a programme for quota: how much and what for."""

    amount = _yuan_field(_("Amount asked (yuan)"), required=True)
    purpose = forms.CharField(
        label=_("Purpose"), max_length=2000,
        widget=forms.Textarea(attrs={
            "class": "form-control", "rows": 3,
            "placeholder": _("e.g. material testing for a new battery casing"),
        }),
    )  # fmt: skip

    def clean_amount(self) -> int:
        return parse_yuan(self.cleaned_data["amount"])


class DecisionForm(forms.Form):
    """A reviewer's decision on an application: maybe a smaller amount, a reason."""

    amount = _yuan_field(_("Amount to issue (yuan; empty: as asked)"))
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)

    def clean_amount(self) -> int | None:
        return parse_yuan(self.cleaned_data.get("amount"))


class BulkIssueForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("Columns: credit code (统一社会信用代码), amount in yuan; one firm per row."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )
