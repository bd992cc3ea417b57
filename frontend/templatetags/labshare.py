import datetime as dt

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language

from config.money import format_fen

register = template.Library()


@register.filter
def yuan(amount_fen):
    """Integer fen shown as ¥ with two decimals."""
    return format_fen(amount_fen)


@register.filter
def in_reader_language(item) -> str:
    """An instrument's (or anything's) name for the reader: its English name on an English
    page when it has one, its Chinese name otherwise."""
    english = getattr(item, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return item.name


@register.simple_tag
def languages_in_themselves():
    """settings.LANGUAGES as written there: each language in its own words."""
    return settings.LANGUAGES


@register.filter
def date_input(value):
    """A datetime-local input's value: a datetime in local time (forms hand it over already
    made local and naive), or what was typed, as is."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%dT%H:%M")
    return value or ""


STATUS_COLOURS = {
    "requested": "warning",
    "submitted": "warning",
    "pending": "warning",
    "approved": "primary",
    "accepted": "primary",
    "verified": "success",
    "checked_in": "info",
    "samples_received": "info",
    "testing": "info",
    "reported": "info",
    "completed": "success",
    "rejected": "danger",
    "cancelled": "secondary",
    "no_show": "dark",
    "draft": "secondary",
    "under_review": "info",
    "partly_approved": "primary",
    "paid": "success",
    "issued": "success",
    "claimed": "warning",
    "fine": "success",
    "problem": "danger",
}


@register.simple_tag
def status_badge(obj, field="status"):
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    colour = STATUS_COLOURS.get(value, "secondary")
    return format_html('<span class="badge text-bg-{} status-{}">{}</span>', colour, value, label)
