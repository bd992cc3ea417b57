"""Which of a provider's CMA / CNAS certificates cover a testing service.

A certificate's scope (资质认定/认可范围) is text the provider's managers keep, one entry a
line (or separated by ；/;): an item with the standards it is approved for
("电磁兼容 GB/T 9254.1-2021"), a bare standard, or a bare item ("几何量"). A service is
within a certificate's scope when one of the service's standards is named on a scope line
(same standard number; the year must agree when both give one), or, for a line naming no
standard, when the line's item is part of the service's name. A report may carry only the
marks of valid certificates that cover its service (``marks_allowed``), so a CNAS
certificate for EMC no longer marks a dimensional-measurement report.

Each service's ``in_accredited_scope`` is kept in step from this (``TestingService.save``
and ``services_scope_refresh``) so the catalogue can filter on its own index.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from accounts.models import Accreditation

# "GB/T 228.1-2021", "GB 5009.12—2023", "ISO 17025:2017", "ASTM D638-14"
_STANDARD = re.compile(
    r"(?<![A-Z])([A-Z]{1,6}(?:/[A-Z]{1,2})?)\s*([A-Z]?\d+(?:\.\d+)*)(?:\s*[-—–:]\s*(\d{2,4}))?"
)
_SPLIT = re.compile(r"[\n；;]+")
_ITEM_SPLIT = re.compile(r"[、，,]+")


@dataclass(frozen=True)
class Standard:
    body: str
    number: str
    year: str | None

    def matches(self, other: Standard) -> bool:
        return (
            self.body == other.body
            and self.number == other.number
            and (self.year is None or other.year is None or self.year == other.year)
        )


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").upper()


def standards_in(text: str) -> list[Standard]:
    return [Standard(b, n, y or None) for b, n, y in _STANDARD.findall(_norm(text))]


def scope_lines(scope: str) -> list[str]:
    return [line.strip() for line in _SPLIT.split(scope or "") if line.strip()]


def matching_line(scope: str, *, name: str, standards: str) -> str | None:
    """The first scope line that covers a service with this name and these standards."""
    wanted = standards_in(standards)
    title = re.sub(r"\s+", "", _norm(name))
    for line in scope_lines(scope):
        named = standards_in(line)
        if named:
            if any(s.matches(w) for s in named for w in wanted):
                return line
            continue
        items = [re.sub(r"\s+", "", _norm(i)) for i in _ITEM_SPLIT.split(line)]
        if any(len(item) >= 2 and item in title for item in items):
            return line
    return None


@dataclass(frozen=True)
class Cover:
    accreditation: Accreditation
    line: str


def covering(service, *, on: dt.date | None = None, certificates=None) -> list[Cover]:
    """The provider's certificates whose scope covers ``service`` (valid on ``on`` when
    given), CMA before CNAS, each with the scope line that matched. ``certificates`` may be
    passed when already read (a list page)."""
    if certificates is None:
        certificates = Accreditation.objects.filter(provider_id=service.provider_id)
        if on is not None:
            certificates = certificates.filter(expires_on__gte=on)
    out = []
    for cert in sorted(certificates, key=lambda c: (c.type, c.certificate_no)):
        if on is not None and cert.expires_on < on:
            continue
        line = matching_line(cert.scope, name=service.name, standards=service.standards)
        if line is not None:
            out.append(Cover(cert, line))
    return out


def marks_allowed(service, on: dt.date) -> list[str]:
    """The mark types ("cma", "cnas") a report of ``service`` issued on ``on`` may carry."""
    return sorted({c.accreditation.type for c in covering(service, on=on)})


def mark_label(types: list[str]) -> str:
    """ "CMA" / "CNAS" / "CMA, CNAS" for the report's record."""
    return ", ".join(Accreditation.Type(t).label for t in sorted(types))
