"""The four demo sign-ins of DESIGN.md and their organisations. Idempotent."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import (
    Accreditation,
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

DEMO_PASSWORD = "labshare-demo"  # noqa: S105 - published demo password (DESIGN.md)
FIRM_EMAIL = "firm@demo.labshare.cn"
LAB_EMAIL = "lab@demo.labshare.cn"
DEPT_EMAIL = "dept@demo.labshare.cn"
ADMIN_EMAIL = "admin@demo.labshare.cn"

DEMO_FIRM_NAME = "杭州青禾新材料科技有限公司"
DEMO_PROVIDER_NAME = "浙江省分析测试中心"
DEMO_DEPARTMENT_NAME = "浙江省科学技术厅"


def valid_uscc(first17: str) -> str:
    return first17 + check_character(first17)


def demo_user(email: str, full_name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def organisation(kind: str, name: str, region_code: str) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        kind=kind, name=name, defaults={"region_id": region_code}
    )
    return org


def member(user: User, org: Organisation, *, admin: bool = True) -> Membership:
    m, _ = Membership.objects.get_or_create(
        user=user,
        organisation=org,
        defaults={"role": Membership.ROLE_FOR_KIND[org.kind], "is_admin": admin},
    )
    return m


def seed() -> dict[str, object]:
    firm_user = demo_user(FIRM_EMAIL, "王晓明")
    lab_user = demo_user(LAB_EMAIL, "陈立华")
    dept_user = demo_user(DEPT_EMAIL, "李建国")
    admin_user = demo_user(ADMIN_EMAIL, "平台管理员", is_staff=True, is_superuser=True)

    province = Region.objects.get(code="330000")
    dept = organisation(Organisation.Kind.DEPARTMENT, DEMO_DEPARTMENT_NAME, "330000")
    DepartmentProfile.objects.get_or_create(organisation=dept, defaults={"region_scope": province})
    member(dept_user, dept)

    provider = organisation(Organisation.Kind.PROVIDER, DEMO_PROVIDER_NAME, "330106")
    profile, _ = ProviderProfile.objects.get_or_create(
        organisation=provider,
        defaults={
            "kind": ProviderProfile.Kind.INSPECTION_CENTRE,
            "description": "省级综合性分析测试机构，面向企业开放大型仪器共享与第三方检测服务。",
            "address": "杭州市西湖区学院路 77 号",
            "contact_name": "陈立华",
            "contact_phone": "0571-8888 1234",
            "contact_email": LAB_EMAIL,
        },
    )
    Accreditation.objects.get_or_create(
        type=Accreditation.Type.CMA,
        certificate_no="221100340123",
        defaults={
            "provider": profile,
            "expires_on": timezone.localdate().replace(year=timezone.localdate().year + 3),
            "scope": "金属材料力学性能；高分子材料成分分析；水质检测",
        },
    )
    member(lab_user, provider)

    firm = organisation(Organisation.Kind.FIRM, DEMO_FIRM_NAME, "330110")
    FirmProfile.objects.get_or_create(
        organisation=firm,
        defaults={
            "uscc": valid_uscc("91330110MA2H3K5L7"),
            "industry": IndustrySizeRule.objects.get(code="industry"),
            "employees": 36,
            "revenue_fen": 1200_0000_00,
            "size_class": FirmProfile.Size.SMALL,
            "size_reason": "工业：从业人员 20 人及以上且营业收入 300 万元及以上，低于中型标准。",
            "legal_representative": "王晓明",
            "verification": FirmProfile.Verification.VERIFIED,
            "verified_by": dept_user,
            "verified_at": timezone.now(),
        },
    )
    member(firm_user, firm)
    return {
        "firm_user": firm_user,
        "lab_user": lab_user,
        "dept_user": dept_user,
        "admin_user": admin_user,
        "firm": firm,
        "provider": provider,
        "department": dept,
    }
