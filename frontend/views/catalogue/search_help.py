"""What the catalogue's search pages add to the results: why each row matched (the words
marked), what the search did (corrected a spelling, relaxed to some of the words), and
help when nothing matched (the nearest categories, matching testing services, asking
providers). The rules live in facilities.search and facilities.selectors.text_search."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from facilities.search.explain import why
from facilities.selectors.text_search import ALL, search_help


def _explain_rows(rows, parsed, kind: str) -> None:
    for row in rows:
        if kind == "instruments":
            body = [row.main_uses, row.specifications]
            row.why = why(parsed, name=row.name, model=row.model_number, body=body,
                          category=str(row.category), name_en=row.name_en)  # fmt: skip
        else:
            row.why = why(parsed, name=row.name, model="", body=[row.standards],
                          category=str(row.category))  # fmt: skip


def search_context(request, *, results, page, kind: str) -> dict:
    outcome = getattr(results, "search", None)
    if outcome is None or not outcome.parsed:
        return {"outcome": None}
    _explain_rows(page.object_list, outcome.parsed, kind)
    typed = (request.GET.get("q") or request.GET.get("search") or "").strip()[:100]
    context = {"outcome": outcome, "relaxed": outcome.mode != ALL, "typed_q": typed,
               "ask_query": urlencode({"q": typed})}  # fmt: skip
    if kind == "instruments" and not page.object_list:
        found = search_help(outcome=outcome)
        context["help"] = found
        context["services_url"] = (
            reverse("frontend:service-list") + "?" + urlencode({"q": outcome.parsed.text})
        )
        context["category_urls"] = [
            (c, reverse("frontend:instrument-list") + "?" + urlencode({"category": c.pk}))
            for c in found.categories
        ]
        ask = {"q": typed}
        if found.categories:
            ask["category"] = found.categories[0].pk
        context["ask_query"] = urlencode(ask)
        context["related_urls"] = [
            (term, reverse("frontend:instrument-list") + "?" + urlencode({"q": term}))
            for term in found.related
        ]
    return context
