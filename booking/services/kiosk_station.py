"""The kiosk page on a tablet, run by an instrument token alone (no signed-in person).

A lab manager presses "Start the kiosk on this device" once: ``kiosk_station_start`` makes
an instrument token for the instrument (listed and revocable with the others on
/lab/kiosks/) and returns a *station credential*: the token's id and a piece of its digest,
signed with the site's key (``django.core.signing``). The page keeps it in a cookie
scoped to that instrument's kiosk page and nothing else; the manager is signed out of
the device. Each request re-reads the token (``kiosk_station_token``): revoking it ends
the kiosk at the next request. Check-in and check-out then go through the token's own
services (``kiosk.kiosk_check_in`` / ``kiosk_check_out``): the person identified by badge
or one-time code is the actor and the operator, as at an interlock box.
"""

from __future__ import annotations

from django.core import signing
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import User
from booking.models import InstrumentToken
from booking.services.kiosk import instrument_token_create
from facilities.models import Instrument

SALT = "booking.kiosk-station"
DIGEST_PART = 16  # of the token's SHA-256 digest: binds the credential to that token row


def kiosk_station_start(*, actor: User, instrument: Instrument) -> tuple[InstrumentToken, str]:
    """A new instrument token for the kiosk page and the signed station credential for it.
    Errors: those of ``instrument_token_create`` (Forbidden ``not_manager``)."""
    when = date_format(timezone.localtime(), "Y-m-d H:i")
    name = gettext("Kiosk page, started %(when)s by %(who)s") % {"when": when, "who": actor.email}
    token, _key = instrument_token_create(actor=actor, instrument=instrument, name=name[:100])
    credential = signing.dumps(
        {"t": token.pk, "i": instrument.pk, "d": token.digest[:DIGEST_PART]}, salt=SALT
    )
    return token, credential


def kiosk_station_token(*, credential: str, instrument_id: int) -> InstrumentToken | None:
    """The live token a station credential stands for at ``instrument_id`` (its instrument
    and provider loaded), else None: unsigned or tampered, another instrument's, or the
    token revoked."""
    try:
        data = signing.loads(credential or "", salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("i") != instrument_id:
        return None
    token = (
        InstrumentToken.objects.select_related("instrument__provider")
        .filter(pk=data.get("t"), instrument_id=instrument_id, revoked_at__isnull=True)
        .first()
    )
    if token is None or token.digest[:DIGEST_PART] != data.get("d"):
        return None
    return token
