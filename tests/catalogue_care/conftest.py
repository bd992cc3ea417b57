from tests.booking.conftest import DAY, NOW, frozen, instrument  # noqa: F401 - shared fixtures

__all__ = ["DAY", "NOW"]
