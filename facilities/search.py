"""Free-text search that works for Chinese, fast on PostgreSQL at 50,000 instruments.

Chinese has no spaces, so word search does not apply. Each searchable row keeps:

- ``search_text``: its text, lower-cased; a pg_trgm GIN index serves ``ILIKE '%term%'``
  for terms of three characters or more;
- ``search_tokens``: CJK unigrams and bigrams plus Latin words, a ``text[]`` with a GIN
  index on PostgreSQL, which answers "contains all these tokens" — trigrams cannot for
  one- and two-character words like 光谱.

A CJK term is matched by its bigrams through the token index, then re-checked as an
exact substring of ``search_text``; other terms use the substring match alone. On SQLite
(development) only the substring match is used, with the same results.
"""

from __future__ import annotations

import re

from django.db import connection, models
from django.db.models import Q

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")
_WORD = re.compile(r"[0-9a-z]+(?:[.\-/][0-9a-z]+)*")
MAX_TERMS = 5


def normalise(text: str) -> str:
    return " ".join((text or "").lower().split())


def cjk_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens_of(text: str) -> list[str]:
    """Unique tokens: every CJK character and bigram, and every Latin/number word."""
    text = normalise(text)
    seen: dict[str, None] = {}
    for run in _CJK_RUN.findall(text):
        for ch in run:
            seen.setdefault(ch, None)
        for bigram in cjk_tokens(run):
            seen.setdefault(bigram, None)
    for word in _WORD.findall(text):
        seen.setdefault(word, None)
    return list(seen)


def build(*parts: str) -> tuple[str, str]:
    """``(search_text, search_tokens)`` for the given texts."""
    text = normalise(" ".join(p for p in parts if p))
    return text, " ".join(tokens_of(text))


def terms_of(query: str) -> list[str]:
    return [t for t in normalise(query).split(" ") if t][:MAX_TERMS]


def text_filter(query: str) -> Q | None:
    """A Q matching rows that contain every term of ``query``; None when it is empty."""
    terms = terms_of(query)
    if not terms:
        return None
    q = Q()
    for term in terms:
        cjk = [tok for run in _CJK_RUN.findall(term) for tok in cjk_tokens(run)]
        if cjk and connection.vendor == "postgresql":
            q &= Q(search_tokens__has_all=cjk)
            if term in cjk:
                continue  # a one- or two-character CJK word is exactly its token: no re-check
        q &= Q(search_text__contains=term)  # text is already lower-cased
    return q


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
    """``search_tokens__has_all=[...]``: every token present (``@>``, served by the GIN index)."""

    lookup_name = "has_all"
    prepare_rhs = False  # the value is a list of tokens, not a text to coerce

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [list(value)])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> {rhs}::text[]", [*lhs_params, *rhs_params]
