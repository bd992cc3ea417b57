"""``{{ row.why.name|marked }}``: segments from facilities.search.explain as HTML, the
matching words in <mark>; every piece is escaped."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def marked(segments) -> str:
    parts = [
        f'<mark class="search-hit">{escape(text)}</mark>' if hit else escape(text)
        for text, hit in segments or ()
    ]
    return mark_safe("".join(parts))  # noqa: S308 — every piece is escaped above
