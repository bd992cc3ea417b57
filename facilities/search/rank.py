"""Relevance of the few rows a search found (at most 1,000), computed in Python.

Per term, where it matches best: the name (or English name) with a canonical term 6, the
name with any form 5, the model number (Latin forms) or manufacturer 4, a category named
by a form 3, the rest 1; summed over the terms. In ``any`` mode a term the row lacks
scores 0, so rows holding more terms come first. A Chinese form matches anywhere in a
field, a Latin one as a whole word, case folded.

Why not in SQL (as until session 7): there the rule was one LIKE or regular expression per
form, field and tier — a thesaurus word such as 热分析 expands to 23 forms, about a
hundred tests per row — evaluated by PostgreSQL on every match on top of a second pass of
the text filter: at 50,000 instruments 25–40 ms of a 热分析 + city search. Here each term
compiles one pattern per tier once per request, and the rows come from the query that
also counts them (``facilities.selectors.instruments``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from facilities.search.query import (
    BODY,
    CATEGORY,
    MODEL,
    NAME,
    NAME_CANONICAL,
    ParsedQuery,
    Term,
)
from facilities.search.text import CJK_RUN

# The candidate's columns the rule reads, in this order.
FIELDS = ("pk", "name", "name_en", "model_number", "manufacturer", "category_id")


def field_pattern(forms: Iterable[str], *, ignore_case: bool = True) -> re.Pattern | None:
    """One pattern for any of ``forms`` in a field as stored: a Chinese form anywhere, a
    Latin one as a whole word (no letter or digit either side); case folded unless the
    text is folded already. None when there is no form."""
    parts = []
    for form in sorted(set(forms), key=len, reverse=True):
        piece = re.escape(form)
        if not CJK_RUN.search(form):
            piece = rf"(?<![0-9a-z]){piece}(?![0-9a-z])"
        parts.append(piece)
    return re.compile("|".join(parts), re.IGNORECASE if ignore_case else 0) if parts else None


@dataclass(frozen=True)
class TermRule:
    canonical: re.Pattern | None
    forms: re.Pattern | None
    latin_forms: re.Pattern | None  # model numbers are Latin: only Latin forms match them
    category_ids: frozenset

    @classmethod
    def of(cls, term: Term, category_ids: Callable[[tuple[str, ...]], list[int]]) -> TermRule:
        latin = [f for f in term.forms if not CJK_RUN.search(f)]
        return cls(
            canonical=field_pattern(term.canonical),
            forms=field_pattern(term.forms),
            latin_forms=field_pattern(latin),
            category_ids=frozenset(category_ids(term.forms)),
        )

    def score(self, names: str, model: str, maker: str, category_id) -> int:
        """Where this term matches best in the row (``names``: the Chinese and English
        names on two lines, so no form spans them); 0 when only the body may hold it."""
        if self.canonical and self.canonical.search(names):
            return NAME_CANONICAL
        if self.forms and self.forms.search(names):
            return NAME
        if (self.latin_forms and self.latin_forms.search(model)) or (
            self.forms and self.forms.search(maker)
        ):
            return MODEL
        if category_id in self.category_ids:
            return CATEGORY
        return 0


def scores(
    parsed: ParsedQuery,
    rows: Iterable[tuple],
    *,
    category_ids: Callable[[tuple[str, ...]], list[int]],
    mode: str = "all",
) -> dict[int, int]:
    """``{pk: score}`` for ``rows`` (``FIELDS``, then in ``any`` mode one flag per term:
    whether the row holds it at all)."""
    rules = [TermRule.of(t, category_ids) for t in parsed.terms]
    out = {}
    for row in rows:
        pk, name, name_en, model, maker, category_id = row[:6]
        flags = row[6:]
        names = f"{name or ''}\n{name_en or ''}"
        total = 0
        for i, rule in enumerate(rules):
            best = rule.score(names, model or "", maker or "", category_id)
            if not best and (mode == "all" or flags[i]):
                best = BODY
            total += best
        out[pk] = total
    return out


class AnyOf(models.Lookup):
    """``pk__any_of=[...]``: one array parameter on PostgreSQL (``= ANY(%s)``) however many
    ids, instead of one placeholder per id; ``IN (...)`` elsewhere."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]
        if not ids:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids]
