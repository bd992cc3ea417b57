"""Firm registration page, home per hat, acting-as switch, profile."""

import pytest
from django.urls import reverse

from accounts.models import FirmProfile, Membership
from tests.conftest import client_for
from tests.factories.accounts import (
    UserFactory,
    join,
    make_reviewer,
    uscc_for,
    with_bad_check_character,
)

pytestmark = pytest.mark.django_db
REGISTER = reverse("frontend:firm-register")


def form_data(**overrides):
    data = {
        "name": "杭州页面注册科技有限公司",
        "uscc": uscc_for(880001),
        "region_code": "330106",
        "industry_code": "industry",
        "employees": "25",
        "revenue_yuan": "4,500,000",
        "legal_representative": "李四",
    }
    data.update(overrides)
    return data


def test_registration_page_registers_and_shows_the_verdict_and_pending():
    user = UserFactory()
    client = client_for(user)
    response = client.post(REGISTER, form_data(), follow=True)
    html = response.content.decode()
    firm = FirmProfile.objects.get(uscc=uscc_for(880001))
    assert firm.revenue_fen == 450_0000_00 and firm.verification == "pending"
    assert Membership.objects.filter(user=user, organisation=firm.organisation).exists()
    assert firm.size_reason in html
    assert "Pending verification" in html


def test_wrong_check_character_is_shown_inline_keeping_the_input():
    bad = with_bad_check_character(uscc_for(880002))
    response = client_for(UserFactory()).post(REGISTER, form_data(uscc=bad))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The check character (the 18th) is wrong" in html
    assert f'value="{bad}"' in html and 'value="杭州页面注册科技有限公司"' in html
    assert not FirmProfile.objects.exists()


def test_medium_firm_is_told_why():
    response = client_for(UserFactory()).post(
        REGISTER, form_data(employees="400", revenue_yuan="50000000")
    )
    html = response.content.decode()
    assert "Not a small or micro firm" in html
    assert 'value="400"' in html


def test_not_an_amount_is_a_form_error():
    response = client_for(UserFactory()).post(REGISTER, form_data(revenue_yuan="lots"))
    assert response.status_code == 200
    assert "Enter an amount in yuan" in response.content.decode()


def test_duplicate_code_on_the_page(alice, firm_a):
    response = client_for(UserFactory()).post(REGISTER, form_data(uscc=firm_a.firm.uscc))
    assert "already registered" in response.content.decode()


def test_home_without_organisation_leads_to_registration():
    html = client_for(UserFactory()).get(reverse("frontend:home")).content.decode()
    assert REGISTER in html


def test_home_of_a_firm_member_shows_the_firm(alice, firm_a):
    html = client_for(alice).get(reverse("frontend:home")).content.decode()
    assert firm_a.name in html and 'data-testid="home-firm"' in html


def test_home_of_a_reviewer_counts_pending_firms(firm_a):
    firm_a.firm.verification = "pending"
    firm_a.firm.save()
    reviewer = make_reviewer("330100")
    response = client_for(reviewer).get(reverse("frontend:home"))
    assert response.context["pending_count"] == 1
    assert reverse("frontend:firm-verification-queue") in response.content.decode()


def test_home_of_a_lab_manager(manager, provider):
    html = client_for(manager).get(reverse("frontend:home")).content.decode()
    assert 'data-testid="home-lab"' in html and provider.name in html


def test_acting_as_switch_changes_request_acting(alice, firm_a, provider):
    provider_membership = join(alice, provider)
    client = client_for(alice)
    first = client.get(reverse("frontend:home"))
    assert first.wsgi_request.acting.organisation == firm_a
    client.post(reverse("frontend:switch-acting-as"), {"membership": provider_membership.pk})
    second = client.get(reverse("frontend:home"))
    assert second.wsgi_request.acting.pk == provider_membership.pk
    assert 'data-testid="home-lab"' in second.content.decode()


def test_cannot_act_as_someone_elses_membership(alice, bob):
    client = client_for(alice)
    client.post(reverse("frontend:switch-acting-as"), {"membership": bob.memberships.get().pk})
    client.post(reverse("frontend:switch-acting-as"), {"membership": "x"})
    response = client.get(reverse("frontend:home"))
    assert response.wsgi_request.acting.user == alice


def test_profile_saves_language_and_sets_the_cookie(alice):
    client = client_for(alice)
    response = client.post(
        reverse("frontend:profile"), {"full_name": "Alice", "phone": "", "language": "en"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    alice.refresh_from_db()
    assert alice.language == "en" and alice.full_name == "Alice"


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_allauth_pages_use_the_labshare_layout(client, name):
    html = client.get(reverse(name)).content.decode()
    assert "auth-card" in html and "bootstrap.min.css" in html


def test_signing_in_applies_the_users_language(client, alice):
    alice.language = "en"
    alice.save()
    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


@pytest.mark.parametrize(("language", "browser"), [("zh-hans", "en-US,en;q=0.9"), ("en", "zh-CN")])
def test_the_signed_in_message_speaks_the_users_language_not_the_browsers(
    client, alice, language, browser
):
    alice.language = language
    alice.save()
    response = client.post(
        reverse("account_login"),
        {"login": alice.email, "password": "correct-horse-battery"},
        HTTP_ACCEPT_LANGUAGE=browser,
        follow=True,
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert ("成功登录" in message) == (language == "zh-hans")
    assert ("Successfully signed in" in message) == (language == "en")


def test_home_query_count_is_pinned(alice, django_assert_max_num_queries):
    client = client_for(alice)
    client.get(reverse("frontend:home"))
    with django_assert_max_num_queries(11):
        assert client.get(reverse("frontend:home")).status_code == 200
