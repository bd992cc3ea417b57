from django import template
from django.utils.html import format_html

from config.money import format_fen

register = template.Library()


@register.filter
def yuan(amount_fen):
    """Integer fen shown as ¥ with two decimals."""
    return format_fen(amount_fen)


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
