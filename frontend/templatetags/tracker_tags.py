"""Template helpers of the tracker pages."""

from html import escape

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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


@register.simple_tag
def table_body(table) -> SafeString:
    """A Table's ``<tr>`` rows (frontend/views/tracker_tables.py): the first cell a row
    header, linked when the table gives the row a link; numbers right-aligned. Written in
    plain Python, every text and link through ``html.escape``: a dashboard prints a dozen
    tables, and their cells in nested template loops were a third of its rendering (and
    ``format_html`` per cell still ~9 ms a page)."""
    rows = table.display_rows()
    if not rows:
        return format_html(
            '<tr><td colspan="{}" class="text-center text-body-secondary py-3">{}</td></tr>',
            len(table.columns),
            _("Nothing counted for these filters yet."),
        )
    return mark_safe("".join(_row_html(row) for row in rows))  # noqa: S308 - escaped below


def _row_html(row) -> str:
    head, *rest = row
    text = escape(str(head.text))
    if head.link:
        text = f'<a href="{escape(head.link)}">{text}</a>'
    cells = [f'<tr><th scope="row" class="fw-normal tracker-row-head">{text}</th>']
    for cell in rest:
        numeric = ' class="text-end text-nowrap"' if cell.numeric else ""
        cells.append(f"<td{numeric}>{escape(str(cell.text))}</td>")
    cells.append("</tr>")
    return "".join(cells)
