"""manage.py tracker_reconcile [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--repair]"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tracker.services.reconciliation import reconciliation_run


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Recount usage events from the orders and counters from the events; --repair rebuilds."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="period_from", type=_day, default=None)
        parser.add_argument("--to", dest="period_to", type=_day, default=None)
        parser.add_argument("--repair", action="store_true")

    def handle(self, *args, period_from=None, period_to=None, repair=False, **options):
        if period_from and period_to and period_to < period_from:
            raise CommandError("--to is before --from")
        run = reconciliation_run(period_from=period_from, period_to=period_to, repair=repair)
        for kind, found in run.details["orders"].items():
            self.stdout.write(
                f"{kind}: {found['missing']} completed without an event "
                f"{found['missing_ids'] or ''}, {found['orphans']} events without a "
                f"completed order {found['orphan_ids'] or ''}"
            )
        for table, n in run.details["counters"].items():
            self.stdout.write(f"{table}: {n} rows differ from the events")
        seconds = (run.finished_at - run.started_at).total_seconds()
        verdict = "repaired" if run.repaired else ("OK" if not run.differences else "NOT repaired")
        self.stdout.write(
            f"{run.differences} differences, {verdict} ({seconds:.1f} s, run #{run.pk})"
        )
