"""The dashboard's provider filter: a list when the region has few providers, a search
box and the matches when it has more than a list can offer (the province has thousands)."""

import re

import pytest
from django.urls import reverse

from accounts.models import Region
from frontend.views import tracker_filters
from tests.conftest import client_for
from tests.factories.accounts import make_provider

pytestmark = pytest.mark.django_db
URL = reverse("frontend:tracker-dashboard")
OPTIONS = reverse("frontend:tracker-provider-options")


def _options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select[^>]*id="f-provider".*?</select>', html, re.S)
    block = select.group(0) if select else html
    return re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', block)


def _names(html: str) -> list[str]:
    return [label for value, label in _options(html) if value]


def test_a_region_with_few_providers_lists_them_all_without_a_search_box(province_reviewer):
    html = client_for(province_reviewer).get(URL).content.decode()
    assert 'data-testid="provider-search"' not in html
    assert _names(html) == ["宁波北仑检测院", "杭州西湖分析测试中心"]


@pytest.fixture
def many_providers(world, monkeypatch):
    """More providers than the bar lists (the limit lowered to 2 for the test)."""
    monkeypatch.setattr(tracker_filters, "PROVIDER_LIST_MAX", 2)
    monkeypatch.setattr(tracker_filters, "PROVIDER_MATCHES", 2)
    for name in ("杭州滨江检测站", "杭州余杭测试所"):
        make_provider(
            organisation__name=name, organisation__region=Region.objects.get(code="330106")
        )
    return world


def test_many_providers_get_a_search_box_and_no_list_before_a_search(
    province_reviewer, many_providers
):
    html = client_for(province_reviewer).get(URL).content.decode()
    assert 'data-testid="provider-search"' in html
    assert _names(html) == []
    assert "Type a name above to find a provider" in html


def test_the_search_lists_the_matches_and_says_when_there_are_more(
    province_reviewer, many_providers
):
    client = client_for(province_reviewer)
    html = client.get(OPTIONS, {"provider_search": "宁波"}).content.decode()
    assert _names(html) == ["宁波北仑检测院"]
    html = client.get(OPTIONS, {"provider_search": "杭州"}).content.decode()
    assert len(_names(html)) == 2
    assert "More providers match: type more of the name" in html
    html = client.get(OPTIONS, {"provider_search": "上海"}).content.decode()
    assert _names(html) == [] and "No provider matches this name" in html


def test_the_chosen_provider_stays_listed_and_selected(province_reviewer, many_providers):
    nb = many_providers["nb"]
    client = client_for(province_reviewer)
    html = client.get(URL, {"provider": nb.pk}).content.decode()
    assert _options(html)[1] == (str(nb.pk), "宁波北仑检测院")
    assert re.search(rf'<option value="{nb.pk}" selected>', html)
    html = client.get(OPTIONS, {"provider_search": "杭州西湖", "provider": nb.pk}).content.decode()
    assert _names(html) == ["宁波北仑检测院", "杭州西湖分析测试中心"]


def test_without_script_the_search_box_submits_with_the_form(province_reviewer, many_providers):
    """The search box is a field of the GET form: the page lists its matches."""
    html = client_for(province_reviewer).get(URL, {"provider_search": "宁波"}).content.decode()
    assert _names(html) == ["宁波北仑检测院"]
    assert 'value="宁波"' in html


def test_the_search_keeps_to_the_readers_region(hangzhou_reviewer, many_providers):
    client = client_for(hangzhou_reviewer)
    assert _names(client.get(OPTIONS, {"provider_search": "宁波"}).content.decode()) == []
    html = client.get(OPTIONS, {"provider_search": "西湖"}).content.decode()
    assert _names(html) == ["杭州西湖分析测试中心"]


def test_only_department_reviewers_may_search_providers(firm_member):
    assert client_for(firm_member).get(OPTIONS, {"provider_search": "杭州"}).status_code == 403
