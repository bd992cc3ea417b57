"""Catalogue search that finds what lab people type, fast on PostgreSQL at 50,000
instruments.

- ``text``: how rows and queries are folded (full/half width, case, spaces) and cut into
  tokens (CJK characters and bigrams, whole Latin words and their compounds), and the
  ``search_tokens`` column with its ``has_all`` lookup;
- ``thesaurus``: abbreviations, English names and short forms mapped to the canonical
  Chinese terms, as data (``ThesaurusEntry``), compiled once per process and version;
- ``query``: a search box's text as terms expanded through the thesaurus, and the SQL that
  finds and ranks rows;
- ``explain``: why a row matched, as highlighted spans;
- ``suggest``: "did you mean" and the nearest category when nothing matches.

docs/catalogue-search.md describes the whole.
"""

from facilities.search.query import (
    ParsedQuery,
    Term,
    parse,
    query_q,
    text_filter,
)
from facilities.search.text import (
    HasAllTokens,
    TokenField,
    build,
    cjk_tokens,
    normalise,
    tokens_of,
)


def terms_of(query: str) -> list[str]:
    """The query's terms as typed (folded), after thesaurus phrases are found."""
    return [t.text for t in parse(query).terms]


__all__ = [
    "HasAllTokens",
    "ParsedQuery",
    "Term",
    "TokenField",
    "build",
    "cjk_tokens",
    "normalise",
    "parse",
    "query_q",
    "terms_of",
    "text_filter",
    "tokens_of",
]
