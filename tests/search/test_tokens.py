"""Folding and tokens: Latin text matches as words, Chinese keeps its bigrams."""

import pytest

from facilities.search import thesaurus as thesaurus_mod
from facilities.search.query import parse
from facilities.search.text import normalise, tokens_of


def test_full_width_case_and_spaces_fold():
    assert normalise("  ＳＥＭ　Ｎｉｃｏｌｅｔ  iS50 ") == "sem nicolet is50"


def test_latin_compounds_add_their_parts_and_runs():
    tokens = set(tokens_of("7900 ICP-MS GB/T 228.1-2021"))
    assert {"icp-ms", "icp", "ms", "icpms", "228.1", "228.1-2021", "2021", "gb/t"} <= tokens


def test_ph_is_a_word_not_a_piece_of_phenom():
    assert "ph" not in tokens_of("Phenom XL G2 chromatography")
    assert "ph" in tokens_of("水质 pH 值测定")


def test_chinese_keeps_characters_and_bigrams():
    assert set(tokens_of("电镜")) == {"电", "镜", "电镜"}


THESAURUS = thesaurus_mod.Thesaurus.compile([
    ("扫描电子显微镜", ["SEM", "扫描电镜"], ["电镜"], "0304"),
    ("透射电子显微镜", ["TEM"], ["电镜"], "0304"),
    ("卡尔蔡司", ["蔡司", "Zeiss"], [], ""),
    ("万能试验机", ["universal testing machine"], [], "0401"),
])  # fmt: skip


def test_a_broader_word_finds_every_concept_but_a_synonym_only_its_own():
    (short,) = parse("电镜", THESAURUS).terms
    assert {"扫描电子显微镜", "透射电子显微镜", "sem", "tem"} <= set(short.forms)
    (sem,) = parse("SEM", THESAURUS).terms
    assert "透射电子显微镜" not in sem.forms and "电镜" not in sem.forms


def test_mixed_and_unspaced_queries_find_thesaurus_words():
    assert [t.text for t in parse("蔡司 SEM", THESAURUS).terms] == ["蔡司", "sem"]
    assert [t.text for t in parse("蔡司扫描电镜", THESAURUS).terms] == ["蔡司", "扫描电镜"]
    assert [t.text for t in parse("Universal Testing Machine", THESAURUS).terms] == [
        "universal testing machine"
    ]


def test_latin_thesaurus_words_are_found_only_as_whole_words():
    assert [t.text for t in parse("semi", THESAURUS).terms] == ["semi"]
    assert not parse("semi", THESAURUS).terms[0].expanded


@pytest.mark.parametrize("query", ["", "   ", "—", "()"])
def test_a_query_without_words_is_no_query(query):
    assert not parse(query, THESAURUS)
