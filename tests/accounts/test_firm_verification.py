import pytest
from django.urls import reverse

from accounts.models import FirmProfile, Region
from accounts.services import firm_verify
from config.errors import InvalidTransition
from tests.accounts.conftest import api_for
from tests.conftest import client_for
from tests.factories.accounts import FirmProfileFactory

pytestmark = pytest.mark.django_db


def pending_firm(county: str = "330106", **kwargs) -> FirmProfile:
    return FirmProfileFactory(
        organisation__region=Region.objects.get(code=county),
        verification=FirmProfile.Verification.PENDING,
        **kwargs,
    )


def test_reviewer_verifies_a_firm_in_their_region_and_who_when_is_recorded(hangzhou_reviewer):
    firm = pending_firm("330106")
    response = api_for(hangzhou_reviewer).post(
        f"/api/v1/firms/{firm.pk}/verify/", {"note": "材料齐全"}, format="json"
    )
    assert response.status_code == 200, response.json()
    firm.refresh_from_db()
    assert firm.verification == "verified"
    assert firm.verified_by == hangzhou_reviewer
    assert firm.verified_at is not None
    assert firm.verification_note == "材料齐全"


def test_hangzhou_reviewer_cannot_verify_a_ningbo_firm(hangzhou_reviewer):
    firm = pending_firm("330212")
    client = api_for(hangzhou_reviewer)
    assert client.post(f"/api/v1/firms/{firm.pk}/verify/").status_code == 404
    assert client.get(f"/api/v1/firms/{firm.pk}/").status_code == 404
    firm.refresh_from_db()
    assert firm.verification == "pending"


def test_province_reviewer_covers_every_city(province_reviewer):
    firm = pending_firm("330212")
    response = api_for(province_reviewer).post(f"/api/v1/firms/{firm.pk}/verify/")
    assert response.status_code == 200


def test_reject_needs_a_note(province_reviewer):
    firm = pending_firm()
    client = api_for(province_reviewer)
    response = client.post(f"/api/v1/firms/{firm.pk}/reject/", {"note": " "}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "note_required"
    response = client.post(
        f"/api/v1/firms/{firm.pk}/reject/", {"note": "营业执照已注销"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["verification"] == "rejected"
    assert response.json()["verification_note"] == "营业执照已注销"


def test_deciding_twice_is_a_409(province_reviewer):
    firm = pending_firm()
    client = api_for(province_reviewer)
    client.post(f"/api/v1/firms/{firm.pk}/verify/")
    response = client.post(f"/api/v1/firms/{firm.pk}/reject/", {"note": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "firm_already_decided"
    with pytest.raises(InvalidTransition):
        firm_verify(actor=province_reviewer, firm_id=firm.pk)


def test_firm_member_cannot_verify_their_own_firm(alice, firm_a):
    firm_a.firm.verification = "pending"
    firm_a.firm.save()
    response = api_for(alice).post(f"/api/v1/firms/{firm_a.pk}/verify/")
    assert response.status_code == 404


def test_reviewer_lists_pending_firms_of_their_region_only(hangzhou_reviewer):
    mine = pending_firm("330106")
    pending_firm("330212")
    FirmProfileFactory()  # verified, Hangzhou
    response = api_for(hangzhou_reviewer).get("/api/v1/firms/?verification=pending")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_bad_filter_value_is_a_400(hangzhou_reviewer):
    response = api_for(hangzhou_reviewer).get("/api/v1/firms/?verification=maybe")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


class TestQueuePage:
    url = reverse("frontend:firm-verification-queue")

    def test_shows_pending_firms_with_code_and_size_reason(self, hangzhou_reviewer):
        firm = pending_firm("330106", size_reason="Small: because of the rule")
        other = pending_firm("330212")
        html = client_for(hangzhou_reviewer).get(self.url).content.decode()
        assert firm.uscc in html and "Small: because of the rule" in html
        assert other.uscc not in html

    def test_query_count_does_not_grow_with_the_queue(
        self, hangzhou_reviewer, django_assert_max_num_queries
    ):
        for _ in range(15):
            pending_firm("330106")
        client = client_for(hangzhou_reviewer)
        with django_assert_max_num_queries(10):
            response = client.get(self.url)
        assert response.content.decode().count('data-testid="queue-firm"') == 15

    def test_verify_with_htmx_swaps_the_row(self, hangzhou_reviewer):
        firm = pending_firm("330106")
        response = client_for(hangzhou_reviewer).post(
            reverse("frontend:firm-verify", args=[firm.pk]), {"note": ""}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert f'id="firm-{firm.pk}"' in response.content.decode()
        firm.refresh_from_db()
        assert firm.verification == "verified"

    def test_reject_without_note_keeps_the_firm_pending_and_says_why(self, hangzhou_reviewer):
        firm = pending_firm("330106")
        response = client_for(hangzhou_reviewer).post(
            reverse("frontend:firm-reject", args=[firm.pk]), {"note": ""}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert "Say why" in response.content.decode()
        firm.refresh_from_db()
        assert firm.verification == "pending"

    def test_plain_post_from_another_region_is_404(self, hangzhou_reviewer):
        firm = pending_firm("330212")
        response = client_for(hangzhou_reviewer).post(
            reverse("frontend:firm-verify", args=[firm.pk])
        )
        assert response.status_code == 404

    def test_firm_member_sees_an_empty_queue(self, alice):
        pending_firm("330106")
        response = client_for(alice).get(self.url)
        assert response.status_code == 200
        assert 'data-testid="queue-firm"' not in response.content.decode()
