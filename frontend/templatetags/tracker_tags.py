"""Template helpers of the tracker pages."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
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
    Python rather than as nested template loops: a dashboard prints a dozen tables, and
    their cells were a third of its rendering."""
    rows = table.display_rows()
    if not rows:
        return format_html(
            '<tr><td colspan="{}" class="text-center text-body-secondary py-3">{}</td></tr>',
            len(table.columns),
            _("Nothing counted for these filters yet."),
        )
    return format_html_join("", "<tr>{}</tr>", ((_row_cells(row),) for row in rows))


def _row_cells(row) -> SafeString:
    head, *rest = row
    text = format_html('<a href="{}">{}</a>', head.link, head.text) if head.link else head.text
    cells = [format_html('<th scope="row" class="fw-normal tracker-row-head">{}</th>', text)]
    for cell in rest:
        if cell.numeric:
            cells.append(format_html('<td class="text-end text-nowrap">{}</td>', cell.text))
        else:
            cells.append(format_html("<td>{}</td>", cell.text))
    return SafeString("".join(cells))
