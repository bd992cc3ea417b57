import datetime as dt

import pytest
import time_machine

from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory

# A fixed "now": Monday 30 Nov 2026, 12:00 in Shanghai; DAY is the next day.
DAY = dt.date(2026, 12, 1)
NOW = at(DAY - dt.timedelta(days=1), 12)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def instrument(provider):
    """Open 08:00–20:00 daily, instant booking, ¥200/h for firms, ¥80/h internal."""
    return InstrumentFactory(provider=provider)
