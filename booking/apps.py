from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self):
        from booking.selectors.clients import provider_client_firm_ids
        from facilities.trainees import client_firms_register

        client_firms_register(provider_client_firm_ids)
