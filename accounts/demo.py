"""The four demo sign-ins of DESIGN.md, their organisations, and a few more firms, providers
and a city bureau so that queues and catalogues look lived-in. Idempotent."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.utils import timezone, translation

from accounts.firm_size import classify
from accounts.models import (
    Accreditation,
    DepartmentProfile,
    FirmProfile,
    FirmVerificationChange,
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

# More sign-ins (same password): lab managers of the other providers, a Hangzhou city reviewer.
LAB2_EMAIL = "lab2@demo.labshare.cn"
LAB3_EMAIL = "lab3@demo.labshare.cn"
LAB4_EMAIL = "lab4@demo.labshare.cn"
HZ_DEPT_EMAIL = "hz-dept@demo.labshare.cn"

DEMO_FIRM_NAME = "杭州青禾新材料科技有限公司"
DEMO_PROVIDER_NAME = "浙江省分析测试中心"
DEMO_DEPARTMENT_NAME = "浙江省科学技术厅"


JOINED_DAYS_AGO = 9 * 366 + 120  # from late 2026 back past the plan's start (2018-01-01)


def joined_at():
    """When the demo's people and organisations joined: before the tracker demo's history
    (orders since 2018, tracker.demo), so that no order predates them."""
    return timezone.now() - dt.timedelta(days=JOINED_DAYS_AGO)


def verified_at():
    """When the demo firms were decided on: after they joined, before their first order."""
    return timezone.now() - dt.timedelta(days=JOINED_DAYS_AGO - 30)


def valid_uscc(first17: str) -> str:
    return first17 + check_character(first17)


def demo_user(email: str, full_name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "date_joined": joined_at(), **extra}
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
        kind=kind, name=name, defaults={"region_id": region_code, "created_at": joined_at()}
    )
    return org


def member(user: User, org: Organisation, *, admin: bool = True) -> Membership:
    m, _ = Membership.objects.get_or_create(
        user=user,
        organisation=org,
        defaults={
            "role": Membership.ROLE_FOR_KIND[org.kind],
            "is_admin": admin,
            "created_at": joined_at(),
        },
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
            "scope": "金属材料力学性能 GB/T 228.1-2021\n高分子材料成分分析 GB/T 6040-2019、GB/T 19466.3-2004\n水质 GB/T 6920-1986、GB/T 5750-2023",
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
            "verified_at": verified_at(),
        },
    )
    member(firm_user, firm)
    demo_verification_history(firm.firm, registered_by=firm_user)
    extra = seed_more(reviewer=dept_user)
    return {
        **extra,
        "firm_user": firm_user,
        "lab_user": lab_user,
        "dept_user": dept_user,
        "admin_user": admin_user,
        "firm": firm,
        "provider": provider,
        "department": dept,
    }


# (name, first 17 characters of the code, county, industry, employees, revenue yuan,
#  legal representative, member email, verification)
MORE_FIRMS = [
    (
        "宁波甬芯微电子有限公司",
        "91330212MA2CK7R4X",
        "330212",
        "industry",
        48,
        18_600_000,
        "周海峰",
        "firm2@demo.labshare.cn",
        "verified",
    ),
    (
        "温州瓯江精密模具有限公司",
        "91330304MA2L8PQ3N",
        "330304",
        "industry",
        15,
        4_200_000,
        "林志强",
        "firm3@demo.labshare.cn",
        "pending",
    ),
    (
        "湖州绿源环境检测技术有限公司",
        "91330502MA2D6WT8U",
        "330502",
        "software_it",
        23,
        3_100_000,
        "沈雅琴",
        "firm4@demo.labshare.cn",
        "pending",
    ),
    (
        "嘉兴禾丰食品科技有限公司",
        "91330402MA2JB5E1H",
        "330402",
        "industry",
        62,
        26_500_000,
        "徐建华",
        "firm5@demo.labshare.cn",
        "pending",
    ),
]

# (name, county, kind, address, contact, lab manager email)
MORE_PROVIDERS = [
    (
        "宁波材料所公共测试平台",
        "330206",
        ProviderProfile.Kind.RESEARCH_PLATFORM,
        "宁波市北仑区新晖路 88 号",
        "赵一鸣",
        LAB2_EMAIL,
    ),
    (
        "温州大学分析测试中心",
        "330302",
        ProviderProfile.Kind.UNIVERSITY_LAB,
        "温州市鹿城区学院中路 276 号",
        "黄思远",
        LAB3_EMAIL,
    ),
    (
        "湖州市质量技术监督检测研究院",
        "330502",
        ProviderProfile.Kind.INSPECTION_CENTRE,
        "湖州市吴兴区苕溪东路 1188 号",
        "钱晓燕",
        LAB4_EMAIL,
    ),
]


def demo_firm(row, *, reviewer: User) -> Organisation:
    name, first17, county, industry, employees, revenue_yuan, legal, email, state = row
    user = demo_user(email, legal)
    firm = organisation(Organisation.Kind.FIRM, name, county)
    rule = IndustrySizeRule.objects.get(code=industry)
    with translation.override("zh-hans"):
        verdict = classify(rule, employees=employees, revenue_fen=revenue_yuan * 100)
    decided = state != FirmProfile.Verification.PENDING
    FirmProfile.objects.get_or_create(
        organisation=firm,
        defaults={
            "uscc": valid_uscc(first17),
            "industry": rule,
            "employees": employees,
            "revenue_fen": revenue_yuan * 100,
            "size_class": verdict.size,
            "size_reason": verdict.reason[:300],
            "legal_representative": legal,
            "verification": state,
            "verified_by": reviewer if decided else None,
            "verified_at": verified_at() if decided else None,
        },
    )
    member(user, firm)
    demo_verification_history(firm.firm, registered_by=user, reviewer=reviewer)
    return firm


# Firms rejected once and sent again (now pending): (the reviewer's note, the firm's note).
RESUBMITTED = {
    "firm4@demo.labshare.cn": (
        "营业执照副本不清晰，且从业人员人数与社保缴纳记录不一致，请核对后重新提交。",
        "已按社保记录更正从业人员人数，并上传清晰的营业执照副本。",
    ),
}


def demo_verification_history(
    firm: FirmProfile, *, registered_by: User, reviewer: User | None = None
) -> None:
    """The history a firm seeded in its state would have (accounts.verification writes
    it for real ones): registered, decided, and for RESUBMITTED ones rejected and sent
    again. Written once; the times lie before now."""
    if firm.verification_history.exists():
        return
    V = FirmProfile.Verification
    now = timezone.now()
    registered_at = firm.organisation.created_at
    notes = RESUBMITTED.get(registered_by.email)
    # Registered when its organisation was created (months ago, before any of its orders),
    # rejected and sent again in the last days.
    rows = [(registered_at, "", V.PENDING, registered_by, "")]
    if notes and firm.verification == V.PENDING:
        rows.append((now - dt.timedelta(days=2), V.PENDING, V.REJECTED, reviewer, notes[0]))
        rows.append((now - dt.timedelta(days=1), V.REJECTED, V.PENDING, registered_by, notes[1]))
    elif firm.verification != V.PENDING:
        decided_at = min(max(firm.verified_at or now, registered_at), now)
        rows.append(
            (decided_at, V.PENDING, firm.verification, firm.verified_by, firm.verification_note)
        )
    FirmVerificationChange.objects.bulk_create(
        FirmVerificationChange(
            firm=firm, at=at, from_status=old, to_status=new, actor=actor, reason=reason
        )
        for at, old, new, actor, reason in rows
    )


def demo_provider(row) -> Organisation:
    name, county, kind, address, contact, email = row
    user = demo_user(email, contact)
    provider = organisation(Organisation.Kind.PROVIDER, name, county)
    ProviderProfile.objects.get_or_create(
        organisation=provider,
        defaults={
            "kind": kind,
            "address": address,
            "contact_name": contact,
            "contact_email": email,
            "description": f"{name}面向小微企业开放大型科研仪器与检测服务。",
        },
    )
    member(user, provider)
    return provider


def seed_more(*, reviewer: User) -> dict[str, object]:
    """Firms in other cities (some pending, so the reviewers' queues are not empty), more
    providers with their lab managers, and a Hangzhou city bureau scoped to its city."""
    firms = [demo_firm(row, reviewer=reviewer) for row in MORE_FIRMS]
    providers = [demo_provider(row) for row in MORE_PROVIDERS]
    hz_user = demo_user(HZ_DEPT_EMAIL, "孙慧敏")
    hz_dept = organisation(Organisation.Kind.DEPARTMENT, "杭州市科学技术局", "330100")
    DepartmentProfile.objects.get_or_create(
        organisation=hz_dept, defaults={"region_scope": Region.objects.get(code="330100")}
    )
    member(hz_user, hz_dept)
    return {"more_firms": firms, "more_providers": providers, "city_department": hz_dept}
