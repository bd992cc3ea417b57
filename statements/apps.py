from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    """Monthly statements from providers to firms, and the invoices firms ask for.

    Its own layer above vouchers and tracker: a statement reads the completed orders from
    the tracker's usage events and the voucher part from the vouchers ledger's holds, and
    neither of those apps needs to know statements exist."""

    name = "statements"
    verbose_name = _("Statements")
