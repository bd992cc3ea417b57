"""Targets page: a reviewer lists and sets targets for its own region only."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tracker.models import Target

pytestmark = pytest.mark.django_db
LIST = reverse("frontend:tracker-targets")
ADD = reverse("frontend:tracker-target-add")


def _form(**overrides):
    data = {
        "name": "2026 年杭州市仪器开放",
        "kind": "use",
        "region_code": "330100",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "target_count": "30",
    }
    data.update(overrides)
    return data


def test_city_reviewer_adds_a_target_for_its_city_and_sees_its_progress(hangzhou_reviewer):
    client = client_for(hangzhou_reviewer)
    response = client.post(ADD, _form(), follow=True)
    html = response.content.decode()
    target = Target.objects.get(name="2026 年杭州市仪器开放")
    assert target.region_id == "330100" and target.target_count == 30
    assert "The target is saved." in html
    # Hangzhou's 12 uses this year (the fixture's world) against 30.
    assert "12 / 30" in html and "40.0%" in html


def test_region_choices_are_the_reviewers_own(hangzhou_reviewer):
    html = client_for(hangzhou_reviewer).get(LIST).content.decode()
    assert 'value="330100"' in html and 'value="330106"' in html
    assert 'value="330200"' not in html and 'value="330000"' not in html


def test_another_citys_region_is_refused_on_the_form(hangzhou_reviewer):
    response = client_for(hangzhou_reviewer).post(ADD, _form(region_code="330200"))
    assert response.status_code == 400
    assert not Target.objects.filter(name="2026 年杭州市仪器开放").exists()


def test_reversed_period_is_shown_on_the_form_keeping_the_input(hangzhou_reviewer):
    response = client_for(hangzhou_reviewer).post(ADD, _form(ends_on="2025-01-01"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "The end of the period is before its start." in html
    assert 'value="2026 年杭州市仪器开放"' in html


def test_edit_and_delete_own_target(hangzhou_reviewer):
    client = client_for(hangzhou_reviewer)
    client.post(ADD, _form())
    target = Target.objects.get(name="2026 年杭州市仪器开放")
    edit = reverse("frontend:tracker-target-edit", args=[target.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, _form(target_count="45"))
    target.refresh_from_db()
    assert target.target_count == 45
    client.post(reverse("frontend:tracker-target-delete", args=[target.pk]))
    assert not Target.objects.filter(pk=target.pk).exists()


def test_plan_targets_cannot_be_edited_by_a_department(province_reviewer):
    plan = Target.objects.filter(department__isnull=True).first()
    client = client_for(province_reviewer)
    html = client.get(LIST).content.decode()
    assert plan.name in html
    assert reverse("frontend:tracker-target-edit", args=[plan.pk]) not in html
    response = client.post(
        reverse("frontend:tracker-target-edit", args=[plan.pk]), _form(region_code="330000")
    )
    assert response.status_code == 403


def test_another_regions_target_answers_404(hangzhou_reviewer):
    plan = Target.objects.filter(department__isnull=True).first()  # province: not Hangzhou's
    client = client_for(hangzhou_reviewer)
    assert client.get(reverse("frontend:tracker-target-edit", args=[plan.pk])).status_code == 404
    assert client.post(reverse("frontend:tracker-target-delete", args=[plan.pk])).status_code == 404


def test_firm_member_cannot_open_targets(firm_member):
    assert client_for(firm_member).get(LIST).status_code == 403
    assert client_for(firm_member).post(ADD, _form()).status_code == 403
