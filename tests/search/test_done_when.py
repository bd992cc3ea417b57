"""Issue 15's acceptance, tried as a new user would on the search page: each query finds
every demo instrument of its kind on the first page, best match first, with the matching
words marked; "pH" finds no instrument and offers help."""

import re

import pytest
from django.test import Client

from tests.search.queries import FTIR, ICP, NMR, SEM, TEM, THERMAL, XRD

pytestmark = pytest.mark.django_db

KINDS = {
    "电镜": SEM | TEM,
    "SEM": SEM,
    "XRD": XRD,
    "液相": {"高效液相色谱仪", "液相色谱-质谱联用仪"},
    "核磁": NMR,
    "ICP": ICP,
    "热分析": THERMAL,
    "Nicolet": FTIR,
}
CARD_NAME = re.compile(r'<h2 class="h6 mb-1 fw-semibold text-truncate">(.*?)</h2>', re.S)


def card_names(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", name).strip() for name in CARD_NAME.findall(html)]


@pytest.mark.parametrize("query", list(KINDS))
def test_query_finds_every_instrument_of_its_kind_first_and_marks_the_words(catalogue, query):
    html = Client().get("/instruments/", {"q": query}).content.decode()
    names = card_names(html)
    assert KINDS[query] <= set(names)
    assert names[0] in KINDS[query]
    assert set(names[: len(KINDS[query])]) == KINDS[query]  # the kind before anything else
    assert '<mark class="search-hit">' in html


def test_synonym_used_is_explained(catalogue):
    html = Client().get("/instruments/", {"q": "SEM"}).content.decode()
    assert "扫描电子显微镜" in html and 'data-testid="why-matched"' in html
    assert "“SEM”" in html and "“sem”" not in html  # quoted as typed, not as folded


def test_a_full_width_query_is_quoted_in_its_half_width_spelling(catalogue):
    html = Client().get("/instruments/", {"q": "ＸＲＤ"}).content.decode()
    assert "“XRD”" in html


def test_ph_finds_no_instrument_and_points_to_the_ph_testing_service(catalogue):
    html = Client().get("/instruments/", {"q": "pH"}).content.decode()
    assert card_names(html) == []
    assert 'data-testid="search-help"' in html
    assert 'data-testid="matching-services"' in html
    services = Client().get("/services/", {"q": "pH"}).content.decode()
    assert "水质 <mark" in services and "pH</mark>" in services


def test_a_typo_is_corrected_and_said_so(catalogue):
    html = Client().get("/instruments/", {"q": "Nicolit"}).content.decode()
    assert "傅里叶变换红外光谱仪" in card_names(html)
    assert 'data-testid="search-notice"' in html and "nicolet" in html


def test_nearest_category_is_offered_when_the_kind_is_not_listed(catalogue):
    from facilities.models import Category, Instrument

    Instrument.objects.filter(name__contains="原子力").update(is_shared=False)
    html = Client().get("/instruments/", {"q": "AFM"}).content.decode()
    assert card_names(html) == []
    surface = Category.objects.get(code="0309")  # 表面与界面分析, the thesaurus' category for AFM
    assert 'data-testid="nearest-category"' in html
    assert f"?category={surface.pk}" in html
