"""Words for the voucher pages: a programme's rules in plain sentences, a rule trace step,
a ledger movement. Presentation only: the amounts come from the ledger and the domain's
traces; nothing here computes money."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.money import format_fen
from vouchers.rules import refusal_text, trace_text

register = template.Library()

PROGRAMME_COLOURS = {"draft": "secondary", "published": "success", "paused": "warning",
                     "closed": "dark"}  # fmt: skip
APPLICATION_COLOURS = {"submitted": "warning", "approved": "success", "rejected": "danger"}
LEDGER_ICONS = {
    "issue": ("bi-plus-circle", "success"),
    "hold": ("bi-lock", "warning"),
    "release": ("bi-unlock", "info"),
    "capture": ("bi-check2-circle", "primary"),
    "expire": ("bi-hourglass-bottom", "secondary"),
    "reverse": ("bi-arrow-counterclockwise", "danger"),
}

# "Closed" alone already means a closed day of opening hours (休息) in the catalogue.
PROGRAMME_LABELS = {
    "draft": gettext_lazy("Draft"),
    "published": gettext_lazy("Published"),
    "paused": gettext_lazy("Paused"),
    "closed": gettext_lazy("Closed for good"),
}

# The ledger's movements in the firm's words (the model's labels are terse field names).
LEDGER_LABELS = {
    "issue": gettext_lazy("Voucher issued"),
    "hold": gettext_lazy("Held for an order"),
    "release": gettext_lazy("Released to the voucher"),
    "capture": gettext_lazy("Paid to the provider"),
    "expire": gettext_lazy("Expired unused"),
    "reverse": gettext_lazy("Reversed (correction)"),
}


def _pct(bp: int) -> str:
    return f"{Decimal(bp) / 100:g}%"


@register.simple_tag
def programme_badge(programme) -> str:
    colour = PROGRAMME_COLOURS.get(programme.status, "secondary")
    return format_html(
        '<span class="badge text-bg-{} status-{}">{}</span>',
        colour, programme.status, programme_status_label(programme.status),
    )  # fmt: skip


def programme_status_label(status: str) -> str:
    return str(PROGRAMME_LABELS.get(status, status))


@register.simple_tag
def application_badge(application) -> str:
    colour = APPLICATION_COLOURS.get(application.status, "secondary")
    return format_html(
        '<span class="badge text-bg-{} status-{}">{}</span>',
        colour, application.status, application.get_status_display(),
    )  # fmt: skip


@register.filter
def ledger_icon(kind: str) -> str:
    icon, colour = LEDGER_ICONS.get(kind, ("bi-dot", "secondary"))
    return format_html('<i class="bi {} text-{}"></i>', icon, colour)


@register.filter
def ledger_label(kind: str) -> str:
    return str(LEDGER_LABELS.get(kind, kind))


@register.filter
def trace_words(step: dict) -> str:
    return trace_text(step)


@register.filter
def refusal_words(reason: str) -> str:
    return refusal_text(reason)


def _tiers_sentence(tiers: list[dict]) -> str:
    if len(tiers) == 1 and tiers[0].get("up_to_fen") is None:
        return _("The voucher pays %(ratio)s of the fee.") % {"ratio": _pct(tiers[0]["ratio_bp"])}
    parts, start = [], 0
    for band in tiers:
        end = band.get("up_to_fen")
        if end is None:
            parts.append(_("%(ratio)s of the part above %(start)s") % {
                "ratio": _pct(band["ratio_bp"]), "start": format_fen(start)})  # fmt: skip
        elif start == 0:
            parts.append(_("%(ratio)s of a fee up to %(end)s") % {
                "ratio": _pct(band["ratio_bp"]), "end": format_fen(end)})  # fmt: skip
        else:
            parts.append(_("%(ratio)s of the part from %(start)s to %(end)s") % {
                "ratio": _pct(band["ratio_bp"]), "start": format_fen(start),
                "end": format_fen(end)})  # fmt: skip
        start = end or start
    return _("The voucher pays %(parts)s.") % {"parts": _("; ").join(parts)}


def _location_sentence(shares: dict) -> str:
    return _(
        "The voucher pays %(county)s of the fee at a provider in the firm's county, "
        "%(city)s in its city, %(province)s in its province and %(elsewhere)s elsewhere."
    ) % {
        "county": _pct(shares["same_county"]), "city": _pct(shares["same_city"]),
        "province": _pct(shares["same_province"]), "elsewhere": _pct(shares["elsewhere"]),
    }  # fmt: skip


def _caps_sentences(rules: dict) -> list[str]:
    out = []
    if rules.get("cap_per_order_fen"):
        out.append(
            _("At most %(cap)s per order.") % {"cap": format_fen(rules["cap_per_order_fen"])}
        )
    if rules.get("cap_held_fen"):
        out.append(_("A firm holds at most %(cap)s of these vouchers at once.")
                   % {"cap": format_fen(rules["cap_held_fen"])})  # fmt: skip
    if rules.get("cap_per_year_fen"):
        if rules.get("cap_per_controller"):
            text = _(
                "At most %(cap)s a year per firm, shared by firms with the same actual controller."
            )
        else:
            text = _("At most %(cap)s a year per firm.")
        out.append(text % {"cap": format_fen(rules["cap_per_year_fen"])})
    return out


def _scope_sentences(rules: dict) -> list[str]:
    out = []
    kinds = set(rules.get("order_kinds") or ())
    if kinds == {"booking"}:
        out.append(_("Pays for instrument use only."))
    elif kinds == {"service_request"}:
        out.append(_("Pays for testing services only."))
    else:
        out.append(_("Pays for instrument use and testing services."))
    if rules.get("exclude_statutory", True):
        out.append(_("Mandatory and statutory testing is excluded."))
    providers = rules.get("providers", "all")
    if providers == "region":
        text = _("Accepted by providers in the programme's region")
        if rules.get("outside_province"):
            text = _("Accepted by providers in the programme's region and outside the province")
        out.append(f"{text}{_('.')}")
    elif providers == "named":
        out.append(_("Accepted only by the providers the programme names."))
    else:
        out.append(_("Accepted by every registered provider."))
    out.append(_("A related party of the firm cannot be paid with it."))
    days = rules.get("voucher_valid_days")
    if days:
        out.append(_("Valid for %(days)s days from issue.") % {"days": days})
    return out


@register.simple_tag
def rules_summary(rules: dict) -> list[str]:
    """A programme's rules (its stored JSON) as sentences a firm can read."""
    rules = rules or {}
    first = (
        _location_sentence(rules["location_ratio_bp"])
        if rules.get("location_ratio_bp")
        else _tiers_sentence(rules.get("tiers") or [])
    )
    return [first, *_caps_sentences(rules), *_scope_sentences(rules)]
