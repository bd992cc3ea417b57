from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from accounts.models import (
    DepartmentProfile,
    FirmProfile,
    IndustrySizeRule,
    Membership,
    Organisation,
    ProviderProfile,
    Region,
    User,
)
from accounts.uscc import check_character

PASSWORD = "correct-horse-battery"


def uscc_for(n: int) -> str:
    first17 = f"9133010{n:010d}"
    return first17 + check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    language = "zh-hans"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.FIRM
    name = factory.Sequence(lambda n: f"测试机构{n}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="330106"))


class FirmProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmProfile

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=Organisation.Kind.FIRM,
        name=factory.Sequence(lambda n: f"杭州测试科技{n}有限公司"),
    )
    uscc = factory.Sequence(uscc_for)
    industry = factory.LazyFunction(lambda: IndustrySizeRule.objects.get(code="industry"))
    employees = 30
    revenue_fen = 500_0000_00
    size_class = FirmProfile.Size.SMALL
    size_reason = "small"
    verification = FirmProfile.Verification.VERIFIED


class ProviderProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderProfile

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=Organisation.Kind.PROVIDER,
        name=factory.Sequence(lambda n: f"测试分析中心{n}"),
    )
    kind = ProviderProfile.Kind.INSPECTION_CENTRE


class DepartmentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentProfile

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=Organisation.Kind.DEPARTMENT,
        name=factory.Sequence(lambda n: f"科技局{n}"),
    )
    region_scope = factory.LazyFunction(lambda: Region.objects.get(code="330000"))


def make_firm(**kwargs) -> Organisation:
    return FirmProfileFactory(**kwargs).organisation


def make_provider(**kwargs) -> Organisation:
    return ProviderProfileFactory(**kwargs).organisation


def make_department(region_code: str = "330000", **kwargs) -> Organisation:
    return DepartmentProfileFactory(
        region_scope=Region.objects.get(code=region_code), **kwargs
    ).organisation


def join(user: User, org: Organisation, *, admin: bool = False) -> Membership:
    return Membership.objects.create(
        user=user, organisation=org, role=Membership.ROLE_FOR_KIND[org.kind], is_admin=admin
    )


def member_of(org: Organisation, **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    join(user, org, admin=True)
    return user


def make_reviewer(region_code: str = "330000", **user_kwargs) -> User:
    """A science department reviewer whose department covers ``region_code``."""
    return member_of(make_department(region_code), **user_kwargs)


def firm_payload(**overrides) -> dict:
    """A valid registration for the firm-registration service/API (a small industrial firm)."""
    payload = {
        "name": "杭州新注册科技有限公司",
        "uscc": uscc_for(990001),
        "region_code": "330106",
        "industry_code": "industry",
        "employees": 25,
        "revenue_fen": 450_0000_00,
        "legal_representative": "张三",
    }
    payload.update(overrides)
    return payload


def with_bad_check_character(code: str) -> str:
    """The same code with a wrong 18th character."""
    from accounts.uscc import CHARSET

    wrong = CHARSET[(CHARSET.index(code[17]) + 1) % len(CHARSET)]
    return code[:17] + wrong


def ensure_reference_data() -> None:
    """Regions and size rules come from a data migration; the flush after a transactional
    test removes them. Put them back with the migration's own loader, so nothing drifts."""
    import importlib

    from django.apps import apps

    if not Region.objects.exists():
        importlib.import_module("accounts.migrations.0002_reference_data").load(apps, None)
    from booking.holiday_seed import seed_schedules
    from booking.models import HolidaySchedule, OfficialDay

    if not HolidaySchedule.objects.exists():  # the holiday schedule (booking 0007) too
        seed_schedules(HolidaySchedule, OfficialDay)


# The name the conftest and booking tests use.
reference_data = ensure_reference_data
