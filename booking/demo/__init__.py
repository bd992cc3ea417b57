"""Demo bookings and service requests for seed_demo."""

from booking.demo import bookings, service_requests


def seed() -> None:
    bookings.seed()
    service_requests.seed()
