"""Text as the catalogue stores and matches it: folded, then cut into tokens.

Folding (``normalise``): NFKC turns full-width letters, digits and punctuation into their
half-width forms (``ＳＥＭ`` → ``SEM``, ``（`` → ``(``), then case and runs of spaces fold.

Tokens (``tokens_of``):

- every CJK character and bigram: Chinese has no spaces, so a two-character word like 光谱
  is exactly one token, and a longer one is all of its bigrams (then re-checked as a
  substring, ``facilities.search.query``);
- every Latin/number word, so that ``pH`` matches the word ``ph`` and not the middle of
  ``phenom``. A compound joined by ``-``, ``.``, ``/`` or ``+`` (``ICP-MS``, ``228.1-2021``)
  adds each run of its parts and its parts written together (``icpms``), so ``ICP``,
  ``ICP-MS``, ``icpms`` and ``228.1`` all find it.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
_COMPOUND = re.compile(r"[0-9a-z]+(?:[.\-/+][0-9a-z]+)*")
_PART = re.compile(r"[0-9a-z]+")
_MAX_PARTS = 6  # a longer compound only adds its parts, not every run of them


def normalise(text: str) -> str:
    """NFKC (full width → half width), lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def cjk_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def latin_tokens(compound: str) -> list[str]:
    """A word, or a compound's parts, the runs of its parts and the parts run together."""
    parts = _PART.findall(compound)
    if len(parts) == 1:
        return parts
    out = [compound, "".join(parts), *parts]
    if len(parts) <= _MAX_PARTS:
        # every run of consecutive parts with its own separators, e.g. 228.1 of 228.1-2021
        starts = [m.start() for m in _PART.finditer(compound)]
        ends = [m.end() for m in _PART.finditer(compound)]
        for i in range(len(parts)):
            for j in range(i + 1, len(parts)):
                out.append(compound[starts[i] : ends[j]])
    return out


def words_of(text: str) -> list[str]:
    """The Latin/number compounds of folded text, in order."""
    return _COMPOUND.findall(text)


def tokens_of(text: str) -> list[str]:
    """Unique tokens of ``text``: CJK characters and bigrams, Latin words and compounds."""
    text = normalise(text)
    seen: dict[str, None] = {}
    for run in CJK_RUN.findall(text):
        for ch in run:
            seen.setdefault(ch, None)
        for bigram in cjk_tokens(run):
            seen.setdefault(bigram, None)
    for compound in words_of(text):
        for token in latin_tokens(compound):
            seen.setdefault(token, None)
    return list(seen)


def query_tokens(form: str) -> list[str]:
    """The tokens a row must hold to contain ``form`` (already folded): its CJK bigrams
    (a lone character as itself) and its Latin words as written."""
    tokens = [tok for run in CJK_RUN.findall(form) for tok in cjk_tokens(run)]
    tokens += words_of(form)
    return tokens


def build(*parts: str) -> tuple[str, str]:
    """``(search_text, search_tokens)`` for the given texts."""
    text = normalise(" ".join(p for p in parts if p))
    return text, " ".join(tokens_of(text))


class TokenField(models.TextField):
    """Search tokens: a ``text[]`` on PostgreSQL (GIN-indexed, cheap to test per row), a
    space-separated text elsewhere. In Python the value is always the space-separated str."""

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if isinstance(value, str):
            return value.split()
        return list(value or [])

    def from_db_value(self, value, expression, connection):
        return " ".join(value) if isinstance(value, list) else value

    def get_placeholder(self, value, compiler, connection):
        # Its presence keeps Django's PostgreSQL bulk insert off UNNEST, which would cast
        # the rows' token lists to one text[][] (jagged, so it fails): one %s per value.
        return "%s"


@TokenField.register_lookup
class HasAllTokens(models.Lookup):
    """``search_tokens__has_all=[...]``: every token present. PostgreSQL: ``@>``, served by
    the GIN index. Elsewhere (SQLite, development): one LIKE per token on the
    space-separated list — tokens hold only letters, digits, CJK and ``.-/+``."""

    lookup_name = "has_all"
    prepare_rhs = False  # the value is a list of tokens, not a text to coerce

    def get_db_prep_lookup(self, value, connection):
        if connection.vendor == "postgresql":
            return ("%s", [list(value)])
        return ("%s", [f"% {token} %" for token in value])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            rhs, rhs_params = self.process_rhs(compiler, connection)
            return f"{lhs} @> {rhs}::text[]", [*lhs_params, *rhs_params]
        patterns = [f"% {token} %" for token in self.rhs]
        if not patterns:
            return "1 = 1", []
        sql = " AND ".join(f"(' ' || {lhs} || ' ') LIKE %s" for _ in patterns)
        params = [param for pattern in patterns for param in (*lhs_params, pattern)]
        return f"({sql})", params


@TokenField.register_lookup
class HasAnyToken(models.Lookup):
    """``search_tokens__has_any=[...]``: at least one token present. PostgreSQL: ``&&``
    (GIN-served; one test per row however many one-token synonyms a word has)."""

    lookup_name = "has_any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [list(value)])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            rhs, rhs_params = self.process_rhs(compiler, connection)
            return f"{lhs} && {rhs}::text[]", [*lhs_params, *rhs_params]
        patterns = [f"% {token} %" for token in self.rhs]
        if not patterns:
            return "1 = 0", []
        sql = " OR ".join(f"(' ' || {lhs} || ' ') LIKE %s" for _ in patterns)
        params = [param for pattern in patterns for param in (*lhs_params, pattern)]
        return f"({sql})", params
