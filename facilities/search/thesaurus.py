"""The catalogue's thesaurus, compiled for query expansion.

The rows live in ``facilities.ThesaurusEntry`` (shipped in ``facilities/data/thesaurus.toml``,
edited in the admin). Every web process keeps one compiled copy and checks a version key in
the shared cache on each use: a save or delete in the admin sets a new version
(``thesaurus_changed``), so every process recompiles on its next query — no deploy, no
restart, and no database read per search.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.cache import cache

from facilities.search.text import CJK, normalise

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "thesaurus.toml"
VERSION_KEY = "search:thesaurus:version"
_SEPARATORS = re.compile(r"[,，、;；\n]+")
_LATIN_EDGE = re.compile(r"[0-9a-z]")


def split_words(value: str) -> list[str]:
    """Words of an admin field: separated by commas (also ，、), semicolons or new lines."""
    return [w.strip() for w in _SEPARATORS.split(value or "") if w.strip()]


@dataclass(frozen=True)
class Concept:
    label: str  # the canonical term as written, for people
    term: str  # folded
    forms: tuple[str, ...]  # folded term and synonyms: what a search for it looks for
    category_code: str = ""


@dataclass
class Thesaurus:
    concepts: list[Concept]
    by_word: dict[str, list[Concept]] = field(default_factory=dict)
    pattern: re.Pattern | None = None
    parsed: dict = field(default_factory=dict)  # query text → ParsedQuery (query.parse)

    @classmethod
    def compile(cls, rows) -> Thesaurus:
        """``rows``: ``(term, synonyms, broader, category_code)`` with words as lists."""
        concepts, by_word = [], {}
        for term, synonyms, broader, category_code in rows:
            folded = normalise(term)
            forms = tuple(dict.fromkeys([folded, *(normalise(s) for s in synonyms)]))
            concept = Concept(term, folded, forms, category_code or "")
            concepts.append(concept)
            for word in dict.fromkeys([*forms, *(normalise(b) for b in broader)]):
                by_word.setdefault(word, []).append(concept)
        return cls(concepts, by_word, _phrase_pattern(by_word))

    def concepts_for(self, word: str) -> list[Concept]:
        return self.by_word.get(word, [])

    def phrases(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` (folded) that are thesaurus words, longest first at each place:
        a Latin word only as a whole word, a Chinese one also inside a longer run
        (蔡司扫描电镜 holds 扫描电镜)."""
        if self.pattern is None:
            return []
        return [m.span() for m in self.pattern.finditer(text)]


def _phrase_pattern(by_word: dict[str, list[Concept]]) -> re.Pattern | None:
    alternatives = []
    for word in sorted(by_word, key=len, reverse=True):
        piece = re.escape(word)
        if _LATIN_EDGE.match(word[0]):
            piece = r"(?<![0-9a-z])" + piece
        if _LATIN_EDGE.match(word[-1]):
            piece += r"(?![0-9a-z])"
        alternatives.append(piece)
    return re.compile("|".join(alternatives)) if alternatives else None


def is_cjk(text: str) -> bool:
    return bool(re.search(f"[{CJK}]", text))


# --- the compiled copy of this process ------------------------------------------------

_compiled: tuple[str | None, Thesaurus | None] = (None, None)


def thesaurus_changed() -> None:
    """Make every process recompile on its next search (after an edit of the rows)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def current() -> Thesaurus:
    """The thesaurus as the database holds it now (compiled once per version)."""
    global _compiled
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    seen, compiled = _compiled
    if compiled is None or seen != version:
        compiled = Thesaurus.compile(_rows_from_db())
        _compiled = (version, compiled)
    return compiled


def _rows_from_db():
    # Looked up, not imported: the models import this package (the search columns).
    ThesaurusEntry = apps.get_model("facilities", "ThesaurusEntry")  # noqa: N806

    rows = ThesaurusEntry.objects.filter(is_active=True).order_by("term")
    return [
        (e.term, split_words(e.synonyms), split_words(e.broader), e.category_code)
        for e in rows.only("term", "synonyms", "broader", "category_code")
    ]


def file_entries(path: Path = DATA_FILE) -> list[dict]:
    """The shipped entries as model field values (words joined by ``, ``)."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return [
        {
            "term": e["term"],
            "synonyms": ", ".join(e.get("synonyms", [])),
            "broader": ", ".join(e.get("broader", [])),
            "category_code": e.get("category", ""),
        }
        for e in data.get("entry", [])
    ]
