"""The audit pack's own filters: it is a file, rendered without the frontend's tags."""

from django import template

from config.money import format_fen

register = template.Library()


@register.filter
def yuan(amount_fen):
    return format_fen(amount_fen)
