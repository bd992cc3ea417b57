"""Demo bookings, service requests, waitlist entries and a kiosk token for seed_demo."""

from accounts.demo import DEMO_PROVIDER_NAME
from accounts.models import Organisation
from booking.demo import bookings, service_requests, waitlist_kiosk


def seed() -> list[str]:
    """Seed; returns the lines seed_demo prints (a kiosk key the first time)."""
    bookings.seed()
    service_requests.seed()
    provider = Organisation.objects.filter(name=DEMO_PROVIDER_NAME).first()
    return waitlist_kiosk.seed(provider) if provider else []
