"""The text part of a catalogue search, shared by instruments and testing services: every
word first; when that finds nothing, the spelling the catalogue knows (did you mean), then
any of the words. The outcome says which, so pages can tell the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from facilities.pagination import capped_count
from facilities.search import suggest
from facilities.search.query import ParsedQuery, parse, query_q

ALL, CORRECTED, ANY = "all", "corrected", "any"


@dataclass(frozen=True)
class SearchOutcome:
    parsed: ParsedQuery  # the query the rows match (the corrected one when corrected)
    mode: str = ALL  # ALL: every word; CORRECTED: every word of ``parsed``; ANY: some words
    typed: str = ""  # what was typed, when the rows are for another spelling


def text_search(
    base: QuerySet, query: str, *, count_cap: int, vocab=None, counter=None
) -> tuple[QuerySet, int | None, SearchOutcome]:
    """``base`` narrowed by ``query``: ``(rows, capped count or None, outcome)``.

    The count (``capped_count``, or ``counter(rows, outcome)`` when given: a caller that
    fetches the matches it counts) is taken only when there is text; the fallbacks run
    only when every word together found nothing, so the common case costs one count."""
    parsed = parse(query)
    if not parsed:
        return base, None, SearchOutcome(parsed)

    def count(rows: QuerySet, outcome: SearchOutcome) -> int:
        if counter is not None:
            return counter(rows, outcome)
        return capped_count(rows, count_cap)

    rows = base.filter(query_q(parsed))
    outcome = SearchOutcome(parsed)
    matches = count(rows, outcome)
    if matches:
        return rows, matches, outcome
    corrected = suggest.corrected_query(parsed, vocab=vocab)
    if corrected:
        better = parse(corrected)
        fixed = base.filter(query_q(better))
        fixed_outcome = SearchOutcome(better, CORRECTED, typed=parsed.text)
        found = count(fixed, fixed_outcome)
        if found:
            return fixed, found, fixed_outcome
    if len(parsed.terms) > 1:
        some = base.filter(query_q(parsed, mode=ANY))
        some_outcome = SearchOutcome(parsed, ANY)
        found = count(some, some_outcome)
        if found:
            return some, found, some_outcome
    return rows, 0, outcome


@dataclass(frozen=True)
class SearchHelp:
    """What an empty instrument search offers instead."""

    categories: list  # the nearest categories (Category rows), best first
    services_count: int  # testing services that match the same words
    related: list[str]  # thesaurus terms for the words, to search for instead


def search_help(*, outcome: SearchOutcome, max_categories: int = 3) -> SearchHelp:
    """Nearest categories (from the thesaurus, else by name likeness), how many testing
    services match the same words, and the thesaurus' canonical terms for them."""
    from facilities.models import Category, TestingService

    parsed = outcome.parsed
    codes = suggest.nearest_category_codes(parsed)
    by_code = {c.code: c for c in Category.objects.filter(code__in=codes)}
    categories = [by_code[c] for c in codes if c in by_code]
    if not categories:
        categories = suggest.categories_like(parsed, Category.objects.all())
    services = TestingService.objects.filter(is_active=True).filter(query_q(parsed))
    related = [label for t in parsed.terms for label in t.labels if label.lower() != t.text]
    return SearchHelp(
        categories=categories[:max_categories],
        services_count=capped_count(services, 100),
        related=list(dict.fromkeys(related))[:5],
    )
