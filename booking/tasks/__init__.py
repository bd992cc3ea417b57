"""Celery discovers ``booking.tasks``; each order kind keeps its tasks in its own module."""

from booking.tasks.bookings import *  # noqa: F403
from booking.tasks.service_requests import *  # noqa: F403
from booking.tasks.waitlist import *  # noqa: F403
