"""Public notice (公示): published frozen, readable without signing in, corrected beside."""

import pytest
from django.test import Client

from config.errors import NotFound
from tests.claims.conftest import period
from tests.conftest import client_for
from vouchers.models import PublicNotice
from vouchers.services import notices

pytestmark = pytest.mark.django_db


def test_published_uses_are_public_frozen_and_corrected_beside(
    completed, later, reviewer, programme, firm_a
):
    completed(2)
    with later():
        notice = notices.notice_publish(
            actor=reviewer, programme_id=programme.pk, audit_seed=42, **period()
        )
    assert len(notice.rows) == 2 and notice.total_fen == 2 * 200_00
    page = Client().get(f"/notices/{notice.pk}/")  # nobody signed in
    assert page.status_code == 200 and firm_a.name in page.content.decode()
    with pytest.raises(ValueError):
        notice.save()  # frozen
    response = client_for(reviewer).post(
        f"/notices/{notice.pk}/correct/", {"text": "第 2 行金额更正为 ¥150"}
    )
    assert response.status_code == 302
    page = Client().get(f"/notices/{notice.pk}/").content.decode()
    assert "第 2 行金额更正为 ¥150" in page and firm_a.name in page
    assert PublicNotice.objects.get(pk=notice.pk).rows == notice.rows


def test_only_the_issuers_reviewers_publish(completed, later, programme, other_reviewer, manager):
    completed(1)
    with later():
        for outsider in (other_reviewer, manager):
            with pytest.raises(NotFound):
                notices.notice_publish(actor=outsider, programme_id=programme.pk, **period())


def test_department_publishes_from_its_page(completed, later, reviewer, programme):
    completed(1)
    dept = client_for(reviewer)
    with later():
        assert dept.get("/department/notices/").status_code == 200
        bounds = {k: v.isoformat() for k, v in period().items()}
        assert dept.post("/department/notices/publish/", {"programme": "x"}).status_code == 400
        response = dept.post("/department/notices/publish/", {"programme": programme.pk, **bounds})
    assert response.status_code == 302
    assert PublicNotice.objects.count() == 1
