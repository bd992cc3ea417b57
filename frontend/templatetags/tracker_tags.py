"""Template helpers of the tracker pages."""

from django import template
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with ``changes`` applied (a value of "" drops the key):
    export links and filter links keep every filter the reader chose."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in ("", None):
            params[key] = value
    encoded = urlencode(sorted(params.items()))
    return f"?{encoded}" if encoded else "?"


@register.filter
def thousands(value):
    """1234567 → 1,234,567 (counts read at a glance; the locale's grouping is not needed)."""
    if value is None or value == "":
        return "–"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.simple_tag
def city_name(city: dict) -> str:
    """A public summary's city in the reader's language (Chinese when no English name)."""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and city.get("name_en"):
        return city["name_en"]
    return city["name_zh"]


@register.inclusion_tag("frontend/tracker/_public_summary.html")
def public_summary_block():
    """The landing and home pages' summary block (the tracker caches it for minutes)."""
    from tracker.selectors.public import public_summary

    return {"summary": public_summary()}
