"""Why a row matched: where each query term's forms occur in its fields, as spans to
highlight, and which thesaurus term led there (SEM → 扫描电子显微镜).

Works on the field values as shown. Folding (NFKC, case) keeps the length of the
characters catalogues use, so spans found in the folded text mark the shown one; where it
does not (a rare compatibility character), the field is matched as folded and shown plain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from facilities.search.query import ParsedQuery, Term
from facilities.search.text import CJK_RUN, normalise

SNIPPET_CHARS = 60


def _fold(text: str) -> str:
    """NFKC and lower case, keeping every character's place when that is possible."""
    folded = normalise(text)
    if len(folded) == len(text):
        return folded
    return text.lower()  # spaces were folded or characters expanded: keep places


@lru_cache(maxsize=4096)
def _pattern(form: str) -> re.Pattern:
    if CJK_RUN.search(form):
        return re.compile(re.escape(form))
    return re.compile(rf"(?<![0-9a-z]){re.escape(form)}(?![0-9a-z])")


def form_in(form: str, folded_text: str) -> bool:
    """``form`` occurs in the folded text: Chinese anywhere, a Latin form as a whole word."""
    return bool(_pattern(form).search(folded_text))


def spans(text: str, forms) -> list[tuple[int, int]]:
    """Merged, sorted spans of ``text`` holding any of ``forms`` (longest first wins)."""
    if not text:
        return []
    folded = _fold(text)
    found = []
    for form in sorted(forms, key=len, reverse=True):
        found += [m.span() for m in _pattern(form).finditer(folded)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def segments(text: str, forms) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_match)`` for a template to mark up."""
    out, last = [], 0
    for start, end in spans(text, forms):
        if start > last:
            out.append((text[last:start], False))
        out.append((text[start:end], True))
        last = end
    if last < len(text):
        out.append((text[last:], False))
    return out


def snippet(text: str, forms, width: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """Segments of the part of ``text`` around its first match, about ``width`` long."""
    found = spans(text, forms)
    if not found:
        return []
    start = max(0, found[0][0] - width // 3)
    end = min(len(text), start + width)
    piece = text[start:end]
    out = segments(piece, forms)
    if start > 0:
        out.insert(0, ("…", False))
    if end < len(text):
        out.append(("…", False))
    return out


@dataclass(frozen=True)
class Why:
    """What the results page shows under a row: the name and model marked, the synonyms
    that led to it, and a marked excerpt when a term matched only in the body."""

    name: list[tuple[str, bool]]
    model: list[tuple[str, bool]]
    via: list[tuple[str, str]]  # (typed, canonical term) for each expanded term used
    excerpt: list[tuple[str, bool]]
    name_en: list[tuple[str, bool]] = ()  # the English name, marked (instruments)


def _used(term: Term, shown: str) -> bool:
    return any(form_in(form, shown) for form in term.forms)


def why(parsed: ParsedQuery, *, name: str, model: str, body: list[str],
        category: str = "", name_en: str = "") -> Why:  # fmt: skip
    """Why a row with these fields matched ``parsed``."""
    forms = parsed.forms
    head = _fold(" ".join([name, name_en, model, category]))
    via = []
    for term in parsed.terms:
        if (
            term.expanded
            and term.labels
            and not form_in(term.text, head + " " + " ".join(body).lower())
        ):
            via.append((term.text, "、".join(term.labels)))
    excerpt: list[tuple[str, bool]] = []
    if any(not _used(t, head) for t in parsed.terms):
        for text in body:
            excerpt = snippet(text or "", forms)
            if excerpt:
                break
    return Why(segments(name, forms), segments(model, forms), via, excerpt,
               segments(name_en, forms))  # fmt: skip
