import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("labshare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # The sweep behind the web processes' wake-ups (booking.services.announcements).
    "booking-deliver-announcements": {
        "task": "booking.tasks.deliver_announcements",
        "schedule": 5.0,
    },
    "booking-mark-no-shows": {
        "task": "booking.tasks.mark_no_shows",
        "schedule": crontab(minute="*/5"),
    },
    # Waitlist offers whose claim window passed (booking.services.waitlist).
    "booking-expire-waitlist-offers": {
        "task": "booking.tasks.expire_waitlist_offers",
        "schedule": crontab(minute="*"),
    },
    "booking-send-reminders": {
        "task": "booking.tasks.send_reminders",
        "schedule": crontab(minute="*/15"),
    },
    # Unused balances of expired vouchers; live holds follow their orders (vouchers.tasks).
    # The search ranking's "has free time soon" (facilities.services.free_time).
    "facilities-refresh-free-time": {
        "task": "facilities.tasks.refresh_free_time",
        "schedule": crontab(minute="*/5"),
    },
    "vouchers-expire": {
        "task": "vouchers.tasks.expire_vouchers",
        "schedule": crontab(minute=17),
    },
    "service-requests-auto-complete": {
        "task": "booking.tasks.auto_complete_service_requests",
        "schedule": crontab(minute=7),
    },
    # Usage events queued by completions into the firm, item and wide counters
    # (tracker.services.fold); completions also schedule it a second after they commit.
    "tracker-fold-counters": {
        "task": "tracker.tasks.fold_counters",
        "schedule": 30.0,
    },
    # Invariant 4's proof: counters recounted from the events, events from the orders.
    "tracker-reconcile-nightly": {
        "task": "tracker.tasks.reconcile_nightly",
        "schedule": crontab(hour=3, minute=17),
    },
    # Last month's statements from each provider to each firm (statements.tasks).
    "statements-issue-monthly": {
        "task": "statements.tasks.issue_monthly_statements",
        "schedule": crontab(day_of_month=1, hour=0, minute=30),
    },
}
