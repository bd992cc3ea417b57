from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Tracker")

    def ready(self) -> None:
        from booking.order_events import order_events_subscribe
        from tracker.services.usage import on_order_event

        # After vouchers.money (INSTALLED_APPS order): the capture runs first.
        order_events_subscribe("tracker.usage", on_order_event)
