"""Demo testing requests for seed_demo: every state, some overdue, some with PDF reports.

Idempotent: requests are keyed by their sample description under the demo firm, so a
second run finds them and changes nothing. Moves go through the real services, so
the timeline, due dates and report files are what users would produce.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Organisation, User
from booking.models import ServiceRequest, StateChange
from booking.services import service_requests as services
from booking.working_days import add_working_days
from facilities.models import TestingService

S = ServiceRequest.Status


def render_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF showing ``lines`` (ASCII), for demo and test reports."""
    text = "".join(
        f"BT /F1 14 Tf 72 {760 - 24 * i} Td ({_escape(line)}) Tj ET\n"
        for i, line in enumerate(lines)
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# (key, target state, samples, days ago ordered, overdue?)
PLAN = [
    ("DEMO-01", S.SUBMITTED, 3, 0, False),
    ("DEMO-02", S.SUBMITTED, 1, 1, False),
    ("DEMO-03", S.ACCEPTED, 5, 3, False),
    ("DEMO-04", S.SAMPLES_RECEIVED, 2, 6, False),
    ("DEMO-05", S.TESTING, 4, 12, True),
    ("DEMO-06", S.TESTING, 3, 4, False),
    ("DEMO-07", S.REPORTED, 2, 3, False),
    ("DEMO-08", S.COMPLETED, 6, 30, False),
    ("DEMO-09", S.COMPLETED, 3, 45, False),
    ("DEMO-10", S.REJECTED, 1, 8, False),
    ("DEMO-11", S.CANCELLED, 2, 5, False),
    ("DEMO-12", S.SAMPLES_RECEIVED, 8, 15, True),
]
DESCRIPTIONS = {
    "DEMO-01": "Q235 钢板拉伸试样，200 × 20 × 5 mm",
    "DEMO-02": "PP 改性颗粒，500 g 密封袋装",
    "DEMO-03": "304 不锈钢焊接接头试样",
    "DEMO-04": "涂层钢板盐雾试样，150 × 75 mm",
    "DEMO-05": "铝合金型材 6063-T5 截面试样",
    "DEMO-06": "工业废水水样，1 L 玻璃瓶冷藏",
    "DEMO-07": "ABS 注塑件成分分析样品",
    "DEMO-08": "45# 钢棒材硬度试样",
    "DEMO-09": "PE 管材样品，每段 1 m",
    "DEMO-10": "未密封液体样品（已渗漏）",
    "DEMO-11": "铜合金带材试样",
    "DEMO-12": "螺栓紧固件 M12 × 80",
}
STEPS = [S.ACCEPTED, S.SAMPLES_RECEIVED, S.TESTING, S.REPORTED, S.COMPLETED]


def seed() -> None:
    firm = Organisation.objects.filter(
        kind=Organisation.Kind.FIRM, name=accounts_demo.DEMO_FIRM_NAME
    ).first()
    provider = Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER, name=accounts_demo.DEMO_PROVIDER_NAME
    ).first()
    if firm is None or provider is None:
        return
    services_list = list(TestingService.objects.filter(provider=provider, is_active=True)[:4])
    if not services_list:
        return  # the catalogue demo creates the testing services
    firm_user = User.objects.get(email=accounts_demo.FIRM_EMAIL)
    lab_user = User.objects.get(email=accounts_demo.LAB_EMAIL)
    for index, (key, target, samples, days_ago, overdue) in enumerate(PLAN):
        description = f"{DESCRIPTIONS[key]}（{key}）"
        if ServiceRequest.objects.filter(firm=firm, sample_description=description).exists():
            continue
        service = services_list[index % len(services_list)]
        _build(service, firm, firm_user, lab_user, description, target, samples, days_ago, overdue)


def _build(service, firm, firm_user, lab_user, description, target, samples, days_ago, overdue):
    sr = services.service_request_create(
        actor=firm_user,
        firm=firm,
        service=service,
        sample_count=samples,
        sample_description=description,
        standards=service.standards.splitlines()[0] if service.standards else "",
    )
    if target == S.CANCELLED:
        services.service_request_cancel(actor=firm_user, sr=sr, reason="样品批次有误，重新下单")
    elif target == S.REJECTED:
        services.service_request_accept(actor=lab_user, sr=sr)
        services.service_request_refuse_samples(
            actor=lab_user, sr=sr, reason="样品容器未密封，运输途中渗漏，无法检测"
        )
    else:
        _advance(sr, target, lab_user, firm_user)
    _backdate(sr, days_ago, overdue)


def _advance(sr, target, lab_user, firm_user) -> None:
    for step in STEPS[: STEPS.index(target) + 1] if target in STEPS else []:
        if step == S.ACCEPTED:
            services.service_request_accept(actor=lab_user, sr=sr, reason="已确认检测能力，请送样")
        elif step == S.SAMPLES_RECEIVED:
            services.service_request_receive_samples(
                actor=lab_user, sr=sr, condition=f"{sr.sample_count} 件样品，包装完好，标识清楚"
            )
        elif step == S.TESTING:
            services.service_request_start_testing(actor=lab_user, sr=sr)
        elif step == S.REPORTED:
            number = f"ZJAT-{timezone.localdate():%Y}-{sr.pk:05d}"
            pdf = render_pdf(
                ["LabShare demo test report", f"Report No. {number}", f"Request #{sr.pk}"]
            )
            upload = SimpleUploadedFile(f"{number}.pdf", pdf, "application/pdf")
            services.service_request_report(
                actor=lab_user, sr=sr, report_number=number, report_file=upload
            )
        elif step == S.COMPLETED:
            services.service_request_confirm(actor=firm_user, sr=sr, reason="报告已收到")


def _backdate(sr: ServiceRequest, days_ago: int, overdue: bool) -> None:
    """Move the request ``days_ago`` into the past, its steps 1.5 days apart at most, so
    timelines, due dates and turnaround statistics look lived-in."""
    if not days_ago:
        return
    start = timezone.now() - dt.timedelta(days=days_ago)
    changes = list(StateChange.objects.filter(service_request=sr).order_by("at", "pk"))
    step = min(dt.timedelta(days=days_ago) / len(changes), dt.timedelta(hours=36))
    when = {}
    for i, change in enumerate(changes):
        when[change.to_status] = start + step * i
        StateChange.objects.filter(pk=change.pk).update(at=when[change.to_status])
    # Created first, updated by its last step: never updated before it was created.
    fields = {"created_at": start, "updated_at": max(when.values())}
    if S.SAMPLES_RECEIVED in when:
        fields["samples_received_at"] = when[S.SAMPLES_RECEIVED]
    if S.REPORTED in when:
        fields["reported_at"] = when[S.REPORTED]
    clock = when.get(S.SAMPLES_RECEIVED) or when.get(S.ACCEPTED)
    if clock:
        fields["due_on"] = add_working_days(timezone.localdate(clock), sr.service.turnaround_days)
    if overdue:
        fields["due_on"] = timezone.localdate() - dt.timedelta(days=2)
    ServiceRequest.objects.filter(pk=sr.pk).update(**fields)
