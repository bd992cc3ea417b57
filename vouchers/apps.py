from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = _("Vouchers")

    def ready(self):
        from booking.order_events import creation_read_register, order_events_subscribe
        from booking.payments import (
            move_check_register,
            payment_quote_register,
            payment_reader_register,
        )
        from vouchers.selectors.payments import order_quote, payments_read
        from vouchers.services.order_money import hold_read, on_order_event
        from vouchers.services.order_moves import order_move_check

        order_events_subscribe("vouchers.money", on_order_event)
        creation_read_register(hold_read)  # the hold's lock rides in the booking's INSERT
        payment_reader_register(payments_read)
        move_check_register(order_move_check)
        payment_quote_register(order_quote)
