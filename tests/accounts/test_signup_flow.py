"""Sign up → verification mail (through the Celery task) → confirm → sign in."""

import re

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db
SIGNUP = {
    "email": "Newcomer@Example.cn",
    "password1": "qingHe-2024-lab",
    "password2": "qingHe-2024-lab",
}


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_signup_sends_a_verification_mail_and_confirming_lets_the_user_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["newcomer@example.cn"] and mail.subject.startswith("[LabShare]")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.body).group(1)

    client.logout()
    blocked = sign_in(client, "newcomer@example.cn", SIGNUP["password1"])
    assert blocked.url == reverse("account_email_verification_sent")

    page = client.get(link)
    assert page.status_code == 200 and "auth-card" in page.content.decode()
    client.post(link)
    client.logout()
    response = sign_in(client, "newcomer@example.cn", SIGNUP["password1"])
    assert response.status_code == 302 and response.url == reverse("frontend:home")
    home = client.get(reverse("frontend:home"))
    assert home.wsgi_request.user == User.objects.get(email="newcomer@example.cn")
    assert reverse("frontend:firm-register") in home.content.decode()


def test_password_reset_mail_goes_out(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": alice.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/password/reset/key/" in mailoutbox[0].body


def test_signup_errors_are_shown_inline(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "something-else"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
