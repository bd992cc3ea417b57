"""Relevance is computed in Python over the matches the counting query fetched
(facilities.search.rank): the same order as the rule in docs/catalogue-search.md, with the
text filter run once per search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facilities.models import Instrument
from facilities.pagination import CappedPaginator
from facilities.search.rank import field_pattern
from facilities.search.thesaurus import thesaurus_changed
from facilities.selectors import CatalogueFilters, instrument_search
from facilities.services.thesaurus import thesaurus_load
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thesaurus():
    """The shipped thesaurus (电镜, SEM, 热分析, 蔡司 …), for this test only."""
    thesaurus_load()
    thesaurus_changed()
    yield
    thesaurus_changed()


def names(query: str, **filters) -> list[str]:
    return [i.name for i in instrument_search(filters=CatalogueFilters(q=query, **filters))]


def test_a_pattern_finds_chinese_anywhere_and_latin_only_as_a_whole_word():
    pattern = field_pattern(["ph", "扫描电镜", "icp-ms"])
    assert pattern.search("台式pH计")
    assert pattern.search("PH-3C 酸度计")
    assert not pattern.search("Phenom 台式扫描电子显微镜")
    assert pattern.search("蔡司场发射扫描电镜")
    assert pattern.search("Agilent ICP-MS 7900")
    assert not pattern.search("icp-ms2")
    assert field_pattern([]) is None


def test_the_name_with_the_canonical_term_ranks_above_the_name_above_the_model_and_uses():
    InstrumentFactory(name="台式电镜", model_number="", manufacturer="", main_uses="")
    InstrumentFactory(name="透射电子显微镜", model_number="", manufacturer="", main_uses="")
    InstrumentFactory(name="能谱仪", model_number="", manufacturer="", main_uses="配合电镜使用")
    # 电镜 is a broader word: the canonical terms (透射/扫描电子显微镜) in the name come first,
    # then a form (电镜) in the name, then a mention in the uses.
    assert names("电镜") == ["透射电子显微镜", "台式电镜", "能谱仪"]


def test_a_latin_form_in_the_model_number_ranks_above_one_in_the_uses():
    InstrumentFactory(name="测量仪甲", model_number="", manufacturer="", main_uses="用于 XRD 样品")
    InstrumentFactory(name="测量仪乙", model_number="XRD-7000", manufacturer="")
    assert names("XRD") == ["测量仪乙", "测量仪甲"]


def test_in_the_any_words_fallback_rows_holding_more_words_come_first():
    InstrumentFactory(name="偏光显微镜", model_number="", manufacturer="", main_uses="")
    InstrumentFactory(name="扫描电子显微镜", model_number="", manufacturer="", main_uses="")
    InstrumentFactory(name="扫描电子显微镜 卡尔蔡司", model_number="", manufacturer="",
                      main_uses="")  # fmt: skip
    rows = instrument_search(filters=CatalogueFilters(q="蔡司 SEM 偏光"))
    assert rows.search.mode == "any"
    # two of the three words (蔡司 in the name, SEM's canonical term), then one each: the
    # canonical term of SEM (6) above 偏光 in the name (5)
    assert [r.name for r in rows] == ["扫描电子显微镜 卡尔蔡司", "扫描电子显微镜", "偏光显微镜"]


def test_a_relevance_page_runs_the_text_filter_once():
    for n in range(25):
        InstrumentFactory(name=f"差示扫描量热仪{n}")
    with CaptureQueriesContext(connection) as queries:
        rows = instrument_search(filters=CatalogueFilters(q="热分析"))
        page = CappedPaginator(rows, 20).get_page(1)
        assert len(list(page)) == 20
    searched = [q["sql"] for q in queries if "facilities_instrument" in q["sql"]]
    assert len(searched) == 3  # the matches (counted), the page's ids, the page's rows
    assert sum("search_text" in sql and "LIKE" in sql for sql in searched) == 1
    assert page.paginator.count == 25


def test_beyond_the_rank_limit_the_order_is_by_name(monkeypatch):
    monkeypatch.setattr("facilities.selectors.instruments.RANK_LIMIT", 3)
    for name in ("丁 光谱仪", "甲 光谱仪", "乙 光谱仪", "丙 光谱仪"):
        InstrumentFactory(name=name)
    rows = instrument_search(filters=CatalogueFilters(q="光谱"))
    assert rows.capped_count == 4
    assert [r.name for r in rows] == list(
        Instrument.objects.order_by("name", "id").values_list("name", flat=True)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_the_counting_query_is_planned_for_its_values_however_often_it_runs(settings):
    InstrumentFactory(name="差示扫描量热仪")
    for _ in range(8):  # past the connection's prepare threshold (config/settings.py)
        instrument_search(filters=CatalogueFilters(q="热分析"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%search_tokens%"],
        )
        assert cursor.fetchone()[0] == 0
    threshold = settings.DATABASES["default"].get("OPTIONS", {}).get("prepare_threshold")
    assert connection.connection.prepare_threshold == threshold  # restored for the rest
