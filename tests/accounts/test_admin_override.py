import pytest
from django.forms.models import model_to_dict

from accounts.admin import FirmProfileAdminForm
from tests.factories.accounts import FirmProfileFactory, UserFactory, with_bad_check_character

pytestmark = pytest.mark.django_db


def admin_form(actor, firm, **changes):
    data = {k: v for k, v in model_to_dict(firm).items() if v is not None}
    data.update(changes)
    form = FirmProfileAdminForm(data=data, instance=firm)
    form.actor = actor
    return form


def test_site_admin_overrides_a_failing_check_character_with_a_reason():
    firm = FirmProfileFactory()
    bad = with_bad_check_character(firm.uscc)
    admin = UserFactory(is_superuser=True, is_staff=True)
    form = admin_form(admin, firm, uscc=bad, uscc_override_reason="执照原件已核对")
    assert form.is_valid(), form.errors
    form.save()
    firm.refresh_from_db()
    assert (firm.uscc, firm.uscc_override_reason) == (bad, "执照原件已核对")


def test_without_a_reason_the_admin_is_refused_too():
    firm = FirmProfileFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    form = admin_form(admin, firm, uscc=with_bad_check_character(firm.uscc))
    assert not form.is_valid()
    assert "check character" in form.errors["uscc"][0]


def test_staff_without_permission_cannot_override():
    firm = FirmProfileFactory()
    staff = UserFactory(is_staff=True)
    form = admin_form(
        staff, firm, uscc=with_bad_check_character(firm.uscc), uscc_override_reason="please"
    )
    assert not form.is_valid()


def test_admin_changelist_and_change_page_render(admin_client):
    firm = FirmProfileFactory()
    assert admin_client.get("/admin/accounts/firmprofile/").status_code == 200
    assert admin_client.get(f"/admin/accounts/firmprofile/{firm.pk}/change/").status_code == 200
