"""Asking providers for an instrument not listed: firms send it from an empty search; lab
managers of matching categories see it, others do not."""

import pytest
from django.test import Client

from facilities.models import InstrumentEnquiry
from facilities.selectors import instrument_enquiry_list_for_manager
from facilities.services.enquiries import MAX_PER_DAY, instrument_enquiry_create
from tests.factories.accounts import make_provider, member_of
from tests.factories.facilities import CategoryFactory, InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def microscopy():
    root = CategoryFactory(code="E03", name_zh="分析仪器")
    return CategoryFactory(code="E0304", name_zh="电子显微镜", parent=root), root


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_firm_member_asks_and_the_matching_lab_manager_sees_it(alice, firm_a, microscopy):
    sem_category, _ = microscopy
    provider = make_provider()
    InstrumentFactory(provider=provider, category=sem_category)
    manager = member_of(provider)
    other = member_of(make_provider())
    InstrumentFactory(provider=other.memberships.get().organisation, category=CategoryFactory())
    resp = client_for(alice).post("/instruments/ask/", {
        "q": "冷冻电镜", "category": sem_category.pk, "details": "生物样品 5 个，两周内",
    })  # fmt: skip
    assert resp.status_code == 302
    enquiry = InstrumentEnquiry.objects.get()
    assert (enquiry.query, enquiry.firm, enquiry.created_by) == ("冷冻电镜", firm_a, alice)
    page = client_for(manager).get("/lab/enquiries/").content.decode()
    assert "冷冻电镜" in page and "生物样品" in page
    assert "冷冻电镜" not in client_for(other).get("/lab/enquiries/").content.decode()


def test_an_enquiry_for_a_parent_category_or_none_reaches_the_provider(alice, microscopy):
    sem_category, root = microscopy
    provider = make_provider()
    InstrumentFactory(provider=provider, category=sem_category)
    manager = member_of(provider)
    instrument_enquiry_create(actor=alice, query="分析", category_id=root.pk)
    instrument_enquiry_create(actor=alice, query="不知道类别")
    seen = {e.query for e in instrument_enquiry_list_for_manager(actor=manager)}
    assert seen == {"分析", "不知道类别"}


def test_bad_input_is_a_400_with_the_message_not_a_500(alice):
    resp = client_for(alice).post("/instruments/ask/", {"q": "  ", "category": "999999"})
    assert resp.status_code == 400
    assert 'data-testid="enquiry-error"' in resp.content.decode()
    assert not InstrumentEnquiry.objects.exists()


def test_asking_needs_a_sign_in():
    resp = Client().post("/instruments/ask/", {"q": "冷冻电镜"})
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_many_enquiries_in_a_day_are_refused(alice):
    for n in range(MAX_PER_DAY):
        instrument_enquiry_create(actor=alice, query=f"仪器{n}")
    resp = client_for(alice).post("/instruments/ask/", {"q": "再一个"})
    assert resp.status_code == 400
    assert InstrumentEnquiry.objects.count() == MAX_PER_DAY


def test_lab_enquiry_list_reads_a_fixed_number_of_queries(alice, django_assert_max_num_queries,
                                                          microscopy):  # fmt: skip
    sem_category, _ = microscopy
    provider = make_provider()
    InstrumentFactory(provider=provider, category=sem_category)
    manager = member_of(provider)
    for n in range(15):
        instrument_enquiry_create(actor=alice, query=f"电镜{n}", category_id=sem_category.pk)
    client = client_for(manager)
    client.get("/lab/enquiries/")
    with django_assert_max_num_queries(12):
        assert client.get("/lab/enquiries/").status_code == 200
