"""Forms for the accounts pages: they only parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import IndustrySizeRule, Region
from config.money import yuan_to_fen


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Counties grouped under their city, the city itself first (a firm may give either)."""
    regions = list(Region.objects.exclude(level=Region.Level.PROVINCE).order_by("code"))
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for region in regions:
        city = region.city_code
        if region.level == Region.Level.CITY:
            names[city] = str(region)
            groups.setdefault(city, []).insert(0, (region.code, str(region)))
        else:
            groups.setdefault(city, []).append((region.code, f"{names.get(city, '')} · {region}"))
    return [("", "—")] + [(names.get(city, city), options) for city, options in groups.items()]


class FirmRegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Registered firm name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as printed on the business licence."),
        widget=forms.TextInput(
            attrs={"class": "font-monospace text-uppercase", "spellcheck": "false"}
        ),
    )
    region_code = forms.ChoiceField(label=_("City or county of registration"))
    industry_code = forms.ChoiceField(label=_("Industry"))
    employees = forms.IntegerField(label=_("Employees"), min_value=0, max_value=10_000_000)
    revenue_yuan = forms.CharField(
        label=_("Annual operating revenue (yuan)"),
        max_length=20,
        help_text=_("Last financial year, in yuan, e.g. 2,400,000."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=50, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = region_choices()
        self.fields["industry_code"].choices = [("", "—")] + [
            (rule.code, str(rule)) for rule in IndustrySizeRule.objects.all()
        ]

    def clean_revenue_yuan(self) -> int:
        try:
            fen = yuan_to_fen(self.cleaned_data["revenue_yuan"])
        except ValueError:
            raise forms.ValidationError(_("Enter an amount in yuan, e.g. 2400000.")) from None
        if fen < 0:
            raise forms.ValidationError(_("Enter an amount of 0 or more."))
        return fen

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "uscc": data["uscc"],
            "region_code": data["region_code"],
            "industry_code": data["industry_code"],
            "employees": data["employees"],
            "revenue_fen": data["revenue_yuan"],
            "legal_representative": data.get("legal_representative", ""),
        }


class FirmResubmitForm(FirmRegistrationForm):
    """The registration corrected after a rejection, and what was corrected."""

    note = forms.CharField(
        label=_("What did you correct?"),
        help_text=_("Optional; the reviewers see it in the firm's history."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "note": self.cleaned_data.get("note", "")}


# Service field names → form field names, to put domain errors next to the right input.
FIELD_MAP = {"revenue_fen": "revenue_yuan"}


def add_domain_error(form: forms.Form, error) -> None:
    """Show a DomainError on the form: field messages inline, the message on top."""
    fields = [FIELD_MAP.get(name, name) for name in (error.fields or {})]
    fields = [name for name in fields if name in form.fields]
    if len(fields) == 1:
        # One field at fault: its full explanation goes right under it (e.g. which check
        # character the code should have), not just the short field message.
        form.add_error(fields[0], str(error.message))
        return
    for name, messages in (error.fields or {}).items():
        field = FIELD_MAP.get(name, name)
        if field in form.fields:
            for message in messages:
                form.add_error(field, str(message))
    form.add_error(None, str(error.message))


class FirmDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. ERP integration")}),
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    badge_number = forms.CharField(
        label=_("Badge number"),
        max_length=32,
        required=False,
        help_text=_("The number on your badge: instrument kiosks check you in with it."),
    )
