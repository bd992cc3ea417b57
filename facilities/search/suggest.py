"""Help when a search finds nothing: "did you mean" from the thesaurus and the catalogue's
own words, and the categories nearest to what was asked.

Runs only on the empty-result path. The vocabulary (thesaurus words, category names,
instrument names, models and manufacturers) is cached for a few minutes; RapidFuzz scores
a word against it in C, a few milliseconds at 50,000 instruments.
"""

from __future__ import annotations

import time

from django.apps import apps
from django.core.cache import cache
from rapidfuzz import fuzz, process

from facilities.search import thesaurus as thesaurus_mod
from facilities.search.query import ParsedQuery
from facilities.search.text import CJK_RUN, cjk_tokens, normalise, words_of

VOCABULARY_KEY = "search:vocabulary"
VOCABULARY_TTL = 600
MAX_NAMES = 20_000


class Vocabulary:
    """Known Latin words and Chinese phrases, and their bigrams (what the catalogue holds)."""

    def __init__(self, phrases: list[str]):
        self.latin: dict[str, None] = {}
        self.chinese: dict[str, None] = {}
        self.bigrams: set[str] = set()
        for phrase in phrases:
            folded = normalise(phrase)
            for word in words_of(folded):
                self.latin.setdefault(word, None)
            for run in CJK_RUN.findall(folded):
                self.chinese.setdefault(run, None)
                self.bigrams.update(cjk_tokens(run))

    def knows(self, word: str) -> bool:
        if CJK_RUN.fullmatch(word):
            return all(b in self.bigrams for b in cjk_tokens(word))
        return all(w in self.latin for w in words_of(word))

    def closest(self, word: str) -> str | None:
        """The known word or phrase most like ``word``, when it is close enough."""
        if CJK_RUN.fullmatch(word):
            if len(word) < 3:
                return None
            found = process.extractOne(word, list(self.chinese), scorer=fuzz.ratio,
                                       score_cutoff=66)  # fmt: skip
            # a misspelling, not a shortening: 光谱仪 is not corrected to 光谱
            if found and len(word) <= len(found[0]) <= len(word) + 1:
                return found[0]
            return self._inside_a_phrase(word)
        if CJK_RUN.search(word) or len(word) < 3:
            return None
        cutoff = 66 if len(word) == 3 else 75
        found = process.extractOne(word, list(self.latin), scorer=fuzz.ratio, score_cutoff=cutoff)
        return found[0] if found and len(found[0]) >= len(word) else None

    def _inside_a_phrase(self, word: str) -> str | None:
        """The part of a longer known phrase that ``word`` is a misspelling of
        (核磁共震 → 核磁共振 inside 核磁共振波谱仪)."""
        found = process.extractOne(word, list(self.chinese), scorer=fuzz.partial_ratio,
                                   score_cutoff=70)  # fmt: skip
        if not found:
            return None
        hit = fuzz.partial_ratio_alignment(word, found[0])
        part = found[0][hit.dest_start : hit.dest_end]
        return part if part != word and len(part) >= len(word) else None


def _catalogue_phrases() -> list[str]:
    # Looked up, not imported: the models import this package (the search columns).
    Category, Instrument = (
        apps.get_model("facilities", "Category"),
        apps.get_model(  # noqa: N806
            "facilities", "Instrument"
        ),
    )

    phrases: list[str] = []
    for name_zh, name_en in Category.objects.values_list("name_zh", "name_en"):
        phrases += [name_zh, name_en]
    listed = Instrument.objects.exclude(status=Instrument.Status.RETIRED).filter(is_shared=True)
    for column in ("name", "model_number", "manufacturer"):
        phrases += list(listed.order_by().values_list(column, flat=True).distinct()[:MAX_NAMES])
    return phrases


_built: dict = {}  # this process's Vocabulary, by thesaurus and phrases' identity


def vocabulary() -> Vocabulary:
    """Thesaurus words (always current) and the catalogue's own (kept a few minutes in the
    shared cache under a stamp; a process reads the small stamp per use, and the phrases
    and builds its Vocabulary only when the stamp or the thesaurus changed)."""
    stamp = cache.get(VOCABULARY_KEY + ":stamp")
    thesaurus = thesaurus_mod.current()
    if stamp is None or _built.get("key") != (stamp, id(thesaurus)):
        phrases = cache.get(VOCABULARY_KEY) if stamp is not None else None
        if phrases is None:
            stamp, phrases = time.time(), _catalogue_phrases()
            cache.set_many({VOCABULARY_KEY: phrases, VOCABULARY_KEY + ":stamp": stamp},
                           VOCABULARY_TTL)  # fmt: skip
        _built.update(key=(stamp, id(thesaurus)), vocab=Vocabulary([*thesaurus.by_word, *phrases]))
    return _built["vocab"]


def corrected_query(parsed: ParsedQuery, *, vocab: Vocabulary | None = None) -> str | None:
    """The query with each unknown word replaced by the closest known one; None when no
    word could be corrected. Thesaurus words are known by definition."""
    vocab = vocab or vocabulary()
    words, changed = [], False
    for term in parsed.terms:
        if term.expanded or vocab.knows(term.text):
            words.append(term.text)
            continue
        better = vocab.closest(term.text)
        words.append(better or term.text)
        changed |= bool(better)
    return " ".join(words) if changed else None


def nearest_category_codes(parsed: ParsedQuery) -> list[str]:
    """The categories the thesaurus gives for the query's words, in order."""
    return list(dict.fromkeys(code for t in parsed.terms for code in t.category_codes))


def categories_like(parsed: ParsedQuery, categories) -> list:
    """Categories whose names look most like the query's words (光谱仪 → 光谱仪器)."""
    rows = list(categories)
    if not rows or not parsed:
        return []
    names = [f"{normalise(c.name_zh)} {normalise(c.name_en)}" for c in rows]
    scored: dict[int, float] = {}
    for term in parsed.terms:
        latin = not CJK_RUN.search(term.text)
        if len(term.text) < (4 if latin else 2):
            continue  # two Latin letters are inside too many English names
        for _name, score, index in process.extract(
            term.text, names, scorer=fuzz.partial_ratio, score_cutoff=67, limit=3
        ):
            scored[index] = max(scored.get(index, 0), score)
    return [rows[i] for i in sorted(scored, key=lambda i: -scored[i])]
