from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from booking import demo as booking_demo
from facilities import demo as facilities_demo


class Command(BaseCommand):
    help = "Build a believable demo Zhejiang: sign-ins, providers, catalogue, orders. Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            accounts_demo.seed()
            facilities_demo.seed()
            booking_demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready. Sign in with firm@ / lab@ / dept@ / admin@demo.labshare.cn, "
                f"password {accounts_demo.DEMO_PASSWORD}"
            )
        )
