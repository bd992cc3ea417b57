"""``python manage.py seed_demo``: the demo Zhejiang of DESIGN.md, every app's part of it.

It lives in config's root, above every app, because it calls them all; each app owns
its own demo data (``<app>.demo``). The apps above booking (vouchers, tracker) are
seeded when their demo module is there, so the command works before they land.
"""

import importlib
import importlib.util

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from booking import demo as booking_demo
from facilities import demo as facilities_demo

# (module, function) of the optional demo seeders, in layer order.
OPTIONAL_SEEDERS = (
    ("vouchers.demo", "seed_vouchers_demo"),
    ("tracker.demo", "seed_tracker_demo"),
    ("statements.demo", "seed_statements_demo"),
)


def _optional_seeders():
    """The optional seeders that exist; one whose module is there but broken still fails."""
    for module_name, function_name in OPTIONAL_SEEDERS:
        if importlib.util.find_spec(module_name) is None:
            continue
        seeder = getattr(importlib.import_module(module_name), function_name, None)
        if seeder is not None:
            yield seeder


class Command(BaseCommand):
    help = "Build a believable demo Zhejiang: sign-ins, providers, catalogue, orders. Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            accounts_demo.seed()
            facilities_demo.seed()
            notes = booking_demo.seed() or []
            for seeder in _optional_seeders():
                seeder()
        for note in notes:
            self.stdout.write(note)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready. Sign in with firm@ / lab@ / dept@ / admin@demo.labshare.cn, "
                f"password {accounts_demo.DEMO_PASSWORD}"
            )
        )
