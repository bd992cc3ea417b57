import datetime as dt

import pytest

from tests.booking.conftest import DAY, NOW, frozen  # noqa: F401 — shared frozen clock
from tests.factories.facilities import InstrumentFactory


@pytest.fixture
def instrument(provider):
    """Open 08:00–20:00 daily, instant booking, ¥200/h for firms, booking a year ahead."""
    return InstrumentFactory(provider=provider, horizon_days=400)


@pytest.fixture
def second_instrument(provider):
    return InstrumentFactory(provider=provider, horizon_days=400, requires_approval=True)


def tuesday(weeks: int = 0) -> dt.date:
    """DAY (Tue 1 Dec 2026) plus whole weeks."""
    return DAY + dt.timedelta(weeks=weeks)


__all__ = ["DAY", "NOW", "tuesday"]
