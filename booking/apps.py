from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        from booking.occupancy import booking_occupancy_register
        from booking.services.announcements import announcement_courier_set
        from booking.tasks.bookings import deliver_announcements

        # Services never import tasks (tasks call services): the outbox is handed the
        # task that wakes its courier here.
        announcement_courier_set(deliver_announcements)
        # The catalogue asks facilities.occupancy about booked time; booking answers.
        booking_occupancy_register()
        # The catalogue asks which firms are a provider's clients (facilities.trainees).
        from booking.selectors.clients import provider_client_firm_ids
        from facilities.trainees import client_firms_register

        client_firms_register(provider_client_firm_ids)
        # A freed range is offered to the waitlist inside the change's own transaction.
        from booking.order_events import order_events_subscribe
        from booking.services.waitlist import waitlist_on_order_event

        order_events_subscribe("booking.waitlist", waitlist_on_order_event)
