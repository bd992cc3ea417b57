"""Read a page's tables back out of its HTML, as a reader (or a screen reader) sees them."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._slug = None
        self._depth = 0
        self._row = None
        self._cell = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        testid = attrs.get("data-testid", "")
        if tag == "div" and testid.startswith("table-") and self._slug is None:
            self._slug, self._depth = testid.removeprefix("table-"), 0
            self.tables[self._slug] = []
        if self._slug is None:
            return
        if tag == "div":
            self._depth += 1
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if self._slug is None:
            return
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._slug].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self._slug = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """{slug: rows of cell texts} for every tracker table on the page; the one-cell row
    of an empty table ("nothing counted") is left out."""
    parser = _Tables()
    parser.feed(html)
    return {slug: [r for r in rows if len(r) > 1] for slug, rows in parser.tables.items()}
