"""A search box's text as terms, each expanded through the thesaurus, and the SQL that
finds the rows holding them (``facilities.search.rank`` orders the ones found).

``parse("蔡司 SEM")`` gives two terms: 蔡司 (a thesaurus word: 蔡司, 卡尔蔡司, zeiss, …) and
sem (扫描电子显微镜, 扫描电镜, sem, …). A row matches a term when it holds any of the term's
forms; it matches the query when it matches every term (``mode="all"``) or, as a fallback
when nothing holds them all, any term (``mode="any"``), ranked by how many it holds.

A form is found through the token index (``search_tokens @> {...}``: its CJK bigrams and
Latin words), then, if it has Chinese in it, re-checked as a substring of ``search_text`` —
bigrams in different places do not make a phrase. Latin words match whole words only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Q

from facilities.search import thesaurus as thesaurus_mod
from facilities.search.text import CJK_RUN, normalise, query_tokens

MAX_TERMS = 5
MAX_QUERY = 100
# Parsed queries kept per compiled thesaurus (a new version starts afresh): expanding a
# word and dropping its covered forms (pairwise) cost ~1 ms for 热分析's 23 forms.
PARSED_CACHE = 2000


@dataclass(frozen=True)
class Term:
    text: str  # as typed, folded
    forms: tuple[str, ...]  # what finds it: the text first, then the thesaurus' forms
    canonical: tuple[str, ...] = ()  # the canonical terms of its concepts (folded)
    labels: tuple[str, ...] = ()  # the same, as written, for people
    category_codes: tuple[str, ...] = ()

    @property
    def expanded(self) -> bool:
        return len(self.forms) > 1


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def forms(self) -> list[str]:
        """Every form of every term, longest first (highlighting marks the longest)."""
        return sorted({f for t in self.terms for f in t.forms}, key=len, reverse=True)


def _covered(form: str, by: str) -> bool:
    """Every row holding ``form`` holds ``by`` (a shorter form inside it, a Latin one as a
    whole word): ``form`` adds nothing to the search."""
    if by == form or len(by) >= len(form):
        return False
    edge = r"[0-9a-z]"
    pattern = re.escape(by)
    if re.match(edge, by[0]):
        pattern = rf"(?<![0-9a-z]){pattern}"
    if re.match(edge, by[-1]):
        pattern += r"(?![0-9a-z])"
    return bool(re.search(pattern, form))


def _minimal(forms: list[str]) -> tuple[str, ...]:
    """The forms no shorter form covers (场发射扫描电镜 goes when 扫描电镜 is there): fewer
    tests per row, the same rows."""
    usable = [f for f in dict.fromkeys(forms) if query_tokens(f)]
    return tuple(f for f in usable if not any(_covered(f, other) for other in usable))


def _term(text: str, concepts) -> Term:
    forms = [text, *(f for c in concepts for f in c.forms)]
    return Term(
        text=text,
        forms=_minimal(forms),
        canonical=tuple(dict.fromkeys(c.term for c in concepts)),
        labels=tuple(dict.fromkeys(c.label for c in concepts)),
        category_codes=tuple(dict.fromkeys(c.category_code for c in concepts if c.category_code)),
    )


def parse(query: str, thesaurus=None) -> ParsedQuery:
    """Terms of ``query``: thesaurus words found in it (longest first, Chinese ones also
    inside a longer run), and the remaining words split on spaces; at most MAX_TERMS."""
    text = normalise(query)[:MAX_QUERY]
    found = thesaurus if thesaurus is not None else thesaurus_mod.current()
    known = found.parsed.get(text)
    if known is not None:
        return known
    parsed = _parse(text, found)
    if len(found.parsed) < PARSED_CACHE:
        found.parsed[text] = parsed
    return parsed


def _parse(text: str, found) -> ParsedQuery:
    terms: list[Term] = []
    last = 0

    def plain(chunk: str) -> None:
        for word in chunk.split():
            if query_tokens(word):
                terms.append(_term(word, found.concepts_for(word)))

    for start, end in found.phrases(text):
        plain(text[last:start])
        word = text[start:end]
        terms.append(_term(word, found.concepts_for(word)))
        last = end
    plain(text[last:])
    unique = list({t.text: t for t in terms}.values())[:MAX_TERMS]
    return ParsedQuery(text=text, terms=tuple(unique))


# --- finding ------------------------------------------------------------------------------


def form_q(form: str) -> Q:
    """Rows holding ``form``: its tokens through the index, and its Chinese as a phrase.

    The phrase comes first in the SQL: PostgreSQL re-tests the whole OR on every row the
    indexes found, in the order written, and a LIKE on the short folded text fails faster
    than an array containment over ~140 tokens."""
    tokens = query_tokens(form)
    q = Q(search_tokens__has_all=tokens)
    if CJK_RUN.search(form) and not (len(tokens) == 1 and form == tokens[0]):
        q = Q(search_text__contains=form) & q  # both sides are folded the same way
    return q


def _one_token(form: str) -> bool:
    tokens = query_tokens(form)
    return len(tokens) == 1 and tokens[0] == form


def term_q(term: Term) -> Q:
    """Any of the term's forms: the one-token ones in a single overlap test (``&&``), the
    others each by their tokens and phrase.

    The overlap goes last: per row it compares every row token with every listed one
    (~140 x 8 for 热分析's abbreviations, ~40 µs), so a row that a phrase already matched
    should not pay for it. Measured at 50,000 instruments (热分析 + a city, 473 rows
    re-tested): the count 36–50 → 10–24 ms."""
    single = [f for f in term.forms if _one_token(f)]
    parts = [form_q(f) for f in term.forms if not _one_token(f)]
    if single:
        parts.append(Q(search_tokens__has_any=single))
    return reduce(or_, parts)


def query_q(parsed: ParsedQuery, *, mode: str = "all") -> Q | None:
    if not parsed:
        return None
    return reduce(and_ if mode == "all" else or_, (term_q(t) for t in parsed.terms))


def text_filter(query: str) -> Q | None:
    """A Q matching rows that hold every term of ``query``; None when it is empty."""
    return query_q(parse(query))


# --- ranking: where a term matches best (facilities.search.rank) ---------------------------

NAME_CANONICAL, NAME, MODEL, CATEGORY, BODY = 6, 5, 4, 3, 1
