"""The thesaurus as data: shipped in a file, loaded once, edited in the admin with effect
on the next search."""

import pytest
from django.test import Client

from facilities.models import ThesaurusEntry
from facilities.search.thesaurus import file_entries, thesaurus_changed
from facilities.selectors import CatalogueFilters, instrument_search
from facilities.services.thesaurus import thesaurus_load
from tests.factories.accounts import UserFactory
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _shipped_thesaurus_afterwards():
    """These tests empty the table; later tests find the shipped entries again."""
    yield
    thesaurus_load()
    thesaurus_changed()


def names(q: str) -> set[str]:
    return {i.name for i in instrument_search(filters=CatalogueFilters(q=q))}


def test_the_shipped_file_covers_the_issue_and_loads_once():
    terms = {e["term"] for e in file_entries()}
    assert {"扫描电子显微镜", "透射电子显微镜", "X射线衍射仪", "核磁共振波谱仪", "高效液相色谱仪",
            "电感耦合等离子体质谱仪", "差示扫描量热仪", "三坐标测量机", "万能试验机"} <= terms  # fmt: skip
    assert len(file_entries()) >= 60
    ThesaurusEntry.objects.all().delete()
    assert thesaurus_load() == len(file_entries())
    assert thesaurus_load() == 0


def test_a_loaded_entry_edited_by_the_administrator_is_kept():
    ThesaurusEntry.objects.all().delete()
    thesaurus_load()
    ThesaurusEntry.objects.filter(term="扫描电子显微镜").update(synonyms="SEM")
    thesaurus_load()
    assert ThesaurusEntry.objects.get(term="扫描电子显微镜").synonyms == "SEM"


def test_an_admin_edit_applies_to_the_next_search_without_a_restart():
    ThesaurusEntry.objects.all().delete()
    thesaurus_changed()
    InstrumentFactory(name="三坐标测量机", model_number="Contura")
    assert names("CMM") == set()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    resp = client.post("/admin/facilities/thesaurusentry/add/", {
        "term": "三坐标测量机", "synonyms": "CMM, 三坐标", "broader": "", "category_code": "",
        "is_active": "on",
    })  # fmt: skip
    assert resp.status_code == 302
    assert names("CMM") == {"三坐标测量机"}
    entry = ThesaurusEntry.objects.get(term="三坐标测量机")
    client.post(f"/admin/facilities/thesaurusentry/{entry.pk}/delete/", {"post": "yes"})
    assert names("CMM") == set()
