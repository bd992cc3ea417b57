"""A search box's text as terms, each expanded through the thesaurus, and the SQL that
finds and ranks the rows holding them.

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

from django.db.models import Case, IntegerField, Q, Value, When

from facilities.search import thesaurus as thesaurus_mod
from facilities.search.text import CJK_RUN, normalise, query_tokens

MAX_TERMS = 5
MAX_QUERY = 100


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
    """Rows holding ``form``: its tokens through the index, and its Chinese as a phrase."""
    tokens = query_tokens(form)
    q = Q(search_tokens__has_all=tokens)
    if CJK_RUN.search(form) and not (len(tokens) == 1 and form == tokens[0]):
        q &= Q(search_text__contains=form)  # both sides are folded the same way
    return q


def _one_token(form: str) -> bool:
    tokens = query_tokens(form)
    return len(tokens) == 1 and tokens[0] == form


def term_q(term: Term) -> Q:
    """Any of the term's forms: the one-token ones in a single overlap test (``&&``), the
    others each by their tokens and phrase."""
    single = [f for f in term.forms if _one_token(f)]
    parts = [Q(search_tokens__has_any=single)] if single else []
    parts += [form_q(f) for f in term.forms if not _one_token(f)]
    return reduce(or_, parts)


def query_q(parsed: ParsedQuery, *, mode: str = "all") -> Q | None:
    if not parsed:
        return None
    return reduce(and_ if mode == "all" else or_, (term_q(t) for t in parsed.terms))


def text_filter(query: str) -> Q | None:
    """A Q matching rows that hold every term of ``query``; None when it is empty."""
    return query_q(parse(query))


# --- ranking --------------------------------------------------------------------------------

NAME_CANONICAL, NAME, MODEL, CATEGORY, BODY = 6, 5, 4, 3, 1


def _word_regex(form: str) -> str:
    return rf"(^|[^0-9a-z]){re.escape(form)}([^0-9a-z]|$)"


def field_q(field: str, forms) -> Q:
    """``field`` (as stored, not folded) holds one of ``forms``: a Chinese form anywhere, a
    Latin one as a whole word."""
    parts = []
    for form in forms:
        if CJK_RUN.search(form):
            parts.append(Q(**{f"{field}__icontains": form}))
        else:
            parts.append(Q(**{f"{field}__iregex": _word_regex(form)}))
    return reduce(or_, parts) if parts else Q(pk__in=[])


def _for_field(field: str, forms) -> list[str]:
    """Model numbers are Latin letters and digits: only Latin forms can match one."""
    if field == "model_number":
        return [f for f in forms if not CJK_RUN.search(f)]
    return list(forms)


def score_expression(parsed: ParsedQuery, *, category_ids, name_fields=("name",),
                     model_fields=("model_number", "manufacturer"), mode: str = "all"):  # fmt: skip
    """Per term, where it matches best — the name with the canonical term, the name, the
    model or manufacturer, the category, the rest — summed over the terms. In ``any`` mode
    a term the row lacks scores 0, so rows holding more terms come first.

    ``category_ids(forms)`` gives the ids of the categories whose names hold a form."""
    total = None
    for term in parsed.terms:
        name_canonical = reduce(or_, (field_q(f, term.canonical) for f in name_fields), Q())
        whens = []
        if term.canonical:
            whens.append(When(name_canonical, then=Value(NAME_CANONICAL)))
        whens.append(When(reduce(or_, (field_q(f, term.forms) for f in name_fields)),
                          then=Value(NAME)))  # fmt: skip
        model_q = reduce(or_, (field_q(f, _for_field(f, term.forms)) for f in model_fields))
        whens.append(When(model_q, then=Value(MODEL)))
        ids = category_ids(term.forms)
        if ids:
            whens.append(When(Q(category_id__in=ids), then=Value(CATEGORY)))
        if mode == "all":
            case = Case(*whens, default=Value(BODY), output_field=IntegerField())
        else:
            whens.append(When(term_q(term), then=Value(BODY)))
            case = Case(*whens, default=Value(0), output_field=IntegerField())
        total = case if total is None else total + case
    return total
