import datetime as dt

from celery import shared_task
from django.utils import timezone

from statements.services import month_start, statements_issue_month


@shared_task
def issue_monthly_statements() -> int:
    """Beat, on the 1st: issue last month's statements (idempotent: a re-run finds them
    issued)."""
    last_month = month_start(month_start(timezone.localdate()) - dt.timedelta(days=1))
    return len(statements_issue_month(month=last_month))
