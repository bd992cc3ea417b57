"""``{{ row.why.name|marked }}``: segments from facilities.search.explain as HTML, the
matching words in <mark>; every piece is escaped."""

import unicodedata

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


@register.filter
def as_typed(term: str, query: str | None) -> str:
    """The query's own spelling of a folded term ("SEM" for the parser's "sem"), so a page
    quotes people as they wrote; the folded form when the query does not hold it."""
    if not query:
        return term
    shown = unicodedata.normalize("NFKC", query)
    folded = shown.casefold()
    at = folded.find(term)
    if at < 0 or len(folded) != len(shown):  # case folding changed the length: no mapping
        return term
    return shown[at : at + len(term)]
