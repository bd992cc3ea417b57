"""Data set sizes. ``national`` is DESIGN.md's largest figure set."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    providers: int
    instruments: int
    firms: int
    bookings_per_instrument: int
    service_requests: int
    services: int

    @property
    def bookings(self) -> int:
        return self.instruments * self.bookings_per_instrument


# 200 bookings per instrument at every scale: 10 million over 50,000 instruments at national.
SCALES = {
    "small": Scale("small", 50, 500, 2_000, 200, 50_000, 100),
    "zhejiang": Scale("zhejiang", 500, 5_000, 20_000, 200, 500_000, 500),
    "national": Scale("national", 5_000, 50_000, 200_000, 200, 5_000_000, 2_000),
}
