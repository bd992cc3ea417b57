"""The append-only ledger and the per-(order, voucher) holds it moves money through."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    """One movement of one voucher's money. Never updated nor deleted (a PostgreSQL trigger,
    migration 0002, refuses it); a mistake is corrected by a new ``reverse`` entry."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issued")
        HOLD = "hold", _("Held")
        RELEASE = "release", _("Released")
        CAPTURE = "capture", _("Captured")
        EXPIRE = "expire", _("Expired")
        REVERSE = "reverse", _("Reversed")

    # No index of its own: (voucher, at) and ledger_once_per_order lead with the voucher and
    # serve every lookup by it; one index write fewer for each of the booking path's entries.
    voucher = models.ForeignKey(
        "vouchers.Voucher", on_delete=models.PROTECT, related_name="ledger", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    order_kind = models.CharField(_("order kind"), max_length=20, blank=True)
    order_id = models.BigIntegerField(_("order"), null=True, blank=True)
    # No index on the version nor on the actor (migration 0012): nothing reads the ledger by
    # either (pages, API, exports, claims and audits read it by voucher, by order, or by kind
    # and date), and each index was one more write per entry on the booking path. The
    # foreign keys and PROTECT stay; what the indexes served was the lookup when a version
    # or a user is deleted, which now scans the ledger (rare: both are referenced from
    # elsewhere under PROTECT too). tests/vouchers/test_write_cost.py pins the indexes.
    programme_version = models.ForeignKey(
        "vouchers.ProgrammeVersion", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="ledger_amount_pos"),
            # A retried hold, release or capture of one order can never move money twice.
            models.UniqueConstraint(
                fields=["voucher", "order_kind", "order_id", "kind"],
                condition=Q(kind__in=["hold", "release", "capture"]),
                name="ledger_once_per_order",
            ),
        ]
        indexes = [
            models.Index(fields=["voucher", "at"]),
            models.Index(fields=["order_kind", "order_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen} · {self.voucher_id}"


class OrderVoucherHold(models.Model):
    """What one voucher pays towards one order, and the rules version that priced it."""

    class State(models.TextChoices):
        HELD = "held", _("Held")
        CAPTURED = "captured", _("Captured")
        RELEASED = "released", _("Released")

    order_kind = models.CharField(_("order kind"), max_length=20)
    order_id = models.BigIntegerField(_("order"))
    # The hold's voucher and rules version are its ledger entry's: the one statement that
    # writes a hold (vouchers.ledger.holds_place) copies both from the 'hold' entry it
    # inserts, whose foreign keys PostgreSQL checks, and that entry can never be deleted
    # (the ledger is append-only) so it keeps the voucher and the version from deletion.
    # A foreign key of the hold's own would check the same ids a second time on every
    # booking with a voucher (two more RI checks, ~70 µs of PostgreSQL's CPU), so there
    # is none (db_constraint=False; migration 0010); tests/vouchers/test_hold_references.py
    # shows what still refuses a dangling hold. No index of its own: (voucher, state)
    # leads with the voucher, and nothing reads holds by version.
    voucher = models.ForeignKey(
        "vouchers.Voucher", on_delete=models.PROTECT, related_name="holds", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    programme_version = models.ForeignKey(
        "vouchers.ProgrammeVersion", on_delete=models.PROTECT, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    held_fen = models.BigIntegerField(_("held (fen)"))
    captured_fen = models.BigIntegerField(_("captured (fen)"), default=0)
    reversed_fen = models.BigIntegerField(_("reversed (fen)"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.HELD)
    trace = models.JSONField(_("rule trace"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["order_kind", "order_id", "voucher_id"]
        verbose_name = _("order voucher hold")
        verbose_name_plural = _("order voucher holds")
        constraints = [
            models.UniqueConstraint(
                fields=["order_kind", "order_id", "voucher"], name="hold_once_per_order_voucher"
            ),
            models.CheckConstraint(condition=Q(held_fen__gt=0), name="hold_amount_pos"),
            models.CheckConstraint(
                condition=Q(captured_fen__gte=0) & Q(captured_fen__lte=F("held_fen")),
                name="hold_capture_within_hold",
            ),
            models.CheckConstraint(
                condition=Q(reversed_fen__gte=0) & Q(reversed_fen__lte=F("captured_fen")),
                name="hold_reverse_within_capture",
            ),
        ]
        indexes = [models.Index(fields=["voucher", "state"])]

    def __str__(self) -> str:
        return f"{self.order_kind} {self.order_id} · {self.voucher_id}"

    @property
    def spent_fen(self) -> int:
        """What this hold costs the voucher now: held while open, captured less reversals."""
        if self.state == self.State.HELD:
            return self.held_fen
        return self.captured_fen - self.reversed_fen
