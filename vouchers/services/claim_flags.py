"""Red flags recomputed when the facts behind them change after the build: a related party
declared later, a session log or a report corrected, a programme's thresholds changed.

``claim_flags_refresh`` recomputes every line's flags from the facts (the same batch
queries as the build) and writes only the lines whose flags changed; it runs inside the
caller's transaction, with the claim row locked, on submit and when review starts.
``claim_flags_refresh_if_stale`` is what a reviewer's opening of the claim page costs: one
indexed probe (a related party of the provider or of the claim's firms declared since the
flags were computed, or flags older than ``FLAGS_MAX_AGE``), and the refresh only then.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from vouchers.flags import lines_flag
from vouchers.models import Claim, ClaimLine, RelatedParty

# A session log or report corrected leaves no timestamp to probe: flags older than this are
# recomputed when a reviewer opens the claim, whatever the probe says.
FLAGS_MAX_AGE = dt.timedelta(hours=1)
REFRESHABLE = frozenset({Claim.Status.DRAFT, Claim.Status.SUBMITTED, Claim.Status.UNDER_REVIEW})


def claim_flags_refresh(claim: Claim, *, now: dt.datetime | None = None) -> int:
    """Recompute the flags of ``claim``'s lines (the caller holds the claim row locked) and
    store what changed, with the claim's ``flagged_count`` and ``flags_checked_at``.
    Returns the number of lines whose flags changed."""
    now = now or timezone.now()
    lines = list(
        ClaimLine.objects.filter(claim_id=claim.pk).only(
            "pk", "hold_id", "firm_id", "order_kind", "order_id", "voucher_fen", "flags"
        )
    )
    before = {ln.pk: ln.flags for ln in lines}
    for line in lines:
        line.flags = []
    lines_flag(lines, provider_id=claim.provider_id)
    changed = [ln for ln in lines if ln.flags != before[ln.pk]]
    for line in changed:
        line.flagged = bool(line.flags)
    _lines_update(changed)
    claim.flagged_count = sum(bool(ln.flags) for ln in lines)
    claim.flags_checked_at = now
    Claim.objects.filter(pk=claim.pk).update(
        flagged_count=claim.flagged_count, flags_checked_at=now
    )
    return len(changed)


def _lines_update(lines: list[ClaimLine]) -> None:
    if not lines:
        return
    if connection.vendor != "postgresql":
        ClaimLine.objects.bulk_update(lines, ["flags", "flagged"], batch_size=500)
        return
    # One UPDATE … FROM unnest for any number of lines (bulk_update's CASE per row costs
    # more to build than to run at thousands of lines).
    table = ClaimLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS l SET flags = v.flags::jsonb, flagged = v.flagged "  # noqa: S608 (table name from the model)
            "FROM unnest(%s::bigint[], %s::text[], %s::boolean[]) AS v(id, flags, flagged) "
            "WHERE l.id = v.id",
            [[ln.pk for ln in lines],
             [json.dumps(ln.flags, ensure_ascii=False) for ln in lines],
             [ln.flagged for ln in lines]],
        )  # fmt: skip


def claim_flags_stale(claim: Claim, *, now: dt.datetime | None = None) -> bool:
    """Whether the facts may have moved since the flags were computed (one query)."""
    if claim.status not in REFRESHABLE:
        return False  # decided claims keep the flags the reviewer decided on
    checked = claim.flags_checked_at
    now = now or timezone.now()
    if checked is None or now - checked > FLAGS_MAX_AGE:
        return True
    firms = ClaimLine.objects.filter(claim_id=claim.pk).values("firm_id")
    return (
        RelatedParty.objects.filter(declared_at__gt=checked)
        .filter(Q(organisation_id=claim.provider_id) | Q(organisation_id__in=firms))
        .exists()
    )


def claim_flags_refresh_if_stale(claim: Claim) -> bool:
    """Refresh the flags of ``claim`` when ``claim_flags_stale`` says so (locking the claim
    row for it); the claim object is updated in place. Returns whether it refreshed."""
    if not claim_flags_stale(claim):
        return False
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.status not in REFRESHABLE:
            return False
        claim_flags_refresh(locked)
    claim.flagged_count, claim.flags_checked_at = locked.flagged_count, locked.flags_checked_at
    return True
