"""The hold's fast path (issue 11's speed): the facts statement in plain SQL answers as the
ORM query it replaced, the rules cached by their text follow a new version, and the
payment a creation's response shows without reading it back follows the order's later
moves."""

import dataclasses
import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone

from accounts.models import Organisation
from booking.payments import payments_for
from booking.services import bookings as booking_services
from facilities.models import Instrument, TestingService
from tests.factories.accounts import make_firm, member_of
from tests.factories.facilities import TestingServiceFactory
from tests.factories.vouchers import RelatedPartyFactory
from tests.vouchers.conftest import YUAN, ledger_agrees
from vouchers.facts import facts_of_row, local_year_start, order_facts_row
from vouchers.ledger import programme_rules, vouchers_lock, vouchers_lock_facts
from vouchers.models import OrderVoucherHold, ProgrammeBlock, RelatedParty
from vouchers.rules import rules_parse
from vouchers.services import issuing, programmes

pytestmark = pytest.mark.django_db
CONTROLLER = RelatedParty.Role.ACTUAL_CONTROLLER


def orm_reference(*, order_kind, item_id, firm_id, programme, rules, at):
    """The ORM statement ``order_facts_row`` ran before it was plain SQL (session 6),
    reduced to the values it returned."""
    model = Instrument if order_kind == "booking" else TestingService
    firm_parties = RelatedParty.objects.filter(organisation_id=firm_id).values("identifier")
    spent = Case(When(state="held", then=F("held_fen")),
                 default=F("captured_fen") - F("reversed_fen"))  # fmt: skip
    holds = OrderVoucherHold.objects.filter(voucher__programme_id=programme.pk,
                                            created_at__gte=local_year_start(at))  # fmt: skip
    if rules.cap_per_controller:
        shared = RelatedParty.objects.filter(organisation_id=firm_id, role=CONTROLLER)
        group = RelatedParty.objects.filter(
            role=CONTROLLER, identifier__in=shared.values("identifier")
        ).values("organisation_id")
        holds = holds.filter(Q(voucher__firm_id=firm_id) | Q(voucher__firm_id__in=group))
    else:
        holds = holds.filter(voucher__firm_id=firm_id)
    used = holds.order_by().values("voucher__programme_id").annotate(s=Sum(spent)).values("s")[:1]
    row = (
        model.objects.filter(pk=item_id)
        .annotate(
            firm_region=Subquery(Organisation.objects.filter(pk=firm_id).values("region_id")[:1]),
            related=Exists(
                RelatedParty.objects.filter(
                    organisation_id=OuterRef("provider_id"), identifier__in=firm_parties
                )
            ),
            blocked=Exists(
                ProgrammeBlock.objects.filter(programme_id=programme.pk).filter(
                    Q(organisation_id=firm_id) | Q(organisation_id=OuterRef("provider_id"))
                )
            ),
            year_used=Subquery(used),
        )  # fmt: skip
        .values(
            "category__path",
            "provider_id",
            "provider__region_id",
            "firm_region",
            "related",
            "blocked",
            "year_used",
            *(("statutory_testing", "voucher_eligible") if model is TestingService else ()),
        )  # fmt: skip
        .get()
    )
    return row


def as_row(facts, blocked, used):
    return {"category__path": facts.category_path, "provider_id": facts.provider_id,
            "provider__region_id": facts.provider_region, "firm_region": facts.firm_region,
            "related": facts.related_party, "blocked": blocked, "year_used": used}  # fmt: skip


@pytest.mark.parametrize("per_controller", [False, True])
def test_the_facts_statement_answers_as_the_orm_query_did(
    book, voucher, programme, firm_a, provider, instrument, reviewer, per_controller
):
    sister = make_firm()
    for firm in (firm_a, sister):
        RelatedPartyFactory(organisation=firm, role=CONTROLLER, identifier="330102198001019999")
    stranger = make_firm()
    service = TestingServiceFactory(provider=provider, statutory_testing=True)
    sister_voucher = programmes_issue(reviewer, programme, sister)
    book([voucher], start_hour=9, hours=2)  # ¥400 held this year for firm A …
    book(
        [sister_voucher], start_hour=12, hours=1, firm=sister, user=member_of(sister)
    )  # … ¥200 for its sister
    rules = dataclasses.replace(rules_parse(programme.rules), cap_per_controller=per_controller)
    now = timezone.now()
    cases = [("booking", instrument.pk, firm_a.pk), ("booking", instrument.pk, stranger.pk),
             ("service_request", service.pk, firm_a.pk), ("booking", instrument.pk, sister.pk)]  # fmt: skip
    for stage in ("plain", "related and blocked"):
        if stage == "related and blocked":
            RelatedPartyFactory(organisation=provider, identifier="330102198001018888")
            RelatedPartyFactory(organisation=stranger, identifier="330102198001018888")
            ProgrammeBlock.objects.create(programme=programme, organisation=firm_a,
                                          reason="审计发现", blocked_by=reviewer)  # fmt: skip
        for kind, item, firm in cases:
            want = orm_reference(order_kind=kind, item_id=item, firm_id=firm,
                                 programme=programme, rules=rules, at=now)  # fmt: skip
            facts, blocked, used = order_facts_row(order_kind=kind, item_id=item, firm_id=firm,
                                                   fee_fen=1, programme=programme,
                                                   rules=rules, at=now)  # fmt: skip
            got = as_row(facts, blocked, used)
            want["year_used"] = want["year_used"] or 0
            if kind == "service_request":
                assert (facts.statutory, facts.item_accepts_vouchers) == (
                    want.pop("statutory_testing"),
                    want.pop("voucher_eligible"),
                )
            assert got == want, (stage, kind, firm)
    # The figures themselves, not only the agreement: firm A spent ¥400, with its sister ¥600.
    _f, blocked, used = order_facts_row(order_kind="booking", item_id=instrument.pk,
                                        firm_id=firm_a.pk, fee_fen=1, programme=programme,
                                        rules=rules, at=now)  # fmt: skip
    assert (blocked, used) == (True, (600 if per_controller else 400) * YUAN)


def programmes_issue(reviewer, programme, firm):
    return issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=firm.pk,
                                 amount_fen=1_000 * YUAN)  # fmt: skip


def test_the_lock_reads_the_vouchers_and_their_programme_as_the_orm_does(voucher, firm_b, issue):
    theirs = issue(firm_b)
    with transaction.atomic():
        locked = vouchers_lock([theirs.pk, voucher.pk, voucher.pk], firm_id=voucher.firm_id)
        assert list(locked) == [voucher.pk]  # another firm's voucher is neither locked nor read
        got = locked[voucher.pk]
        for field in type(voucher)._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(voucher, field.attname), field.name
        programme = type(voucher.programme).objects.get(pk=voucher.programme_id)
        for field in type(programme)._meta.concrete_fields:
            assert getattr(got.programme, field.attname) == getattr(programme, field.attname)
        assert programme_rules(got.programme) == rules_parse(programme.rules)
        both = vouchers_lock([theirs.pk, voucher.pk])
        assert list(both) == sorted([theirs.pk, voucher.pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the merged lock is PostgreSQL's")
def test_the_lock_reads_the_facts_as_the_facts_statement_does(
    voucher, programme, firm_a, firm_b, provider, instrument, reviewer, issue
):
    """Without a yearly cap the hold reads the order's facts in its lock statement: for an
    instrument and a testing service, a stranger's voucher, a related provider and an audit
    block, they equal what the facts statement (with the block, without the year) reads."""
    service = TestingServiceFactory(provider=provider, statutory_testing=True)
    theirs = issue(firm_b)
    rules = dataclasses.replace(rules_parse(programme.rules), cap_per_year_fen=None)
    cases = [("booking", instrument.pk, firm_a, voucher), ("service_request", service.pk, firm_a, voucher),
             ("booking", instrument.pk, firm_b, theirs)]  # fmt: skip
    for stage in ("plain", "related and blocked"):
        if stage == "related and blocked":
            RelatedPartyFactory(organisation=provider, identifier="330102198001018888")
            RelatedPartyFactory(organisation=firm_b, identifier="330102198001018888")
            ProgrammeBlock.objects.create(programme=programme, organisation=firm_a,
                                          reason="审计发现", blocked_by=reviewer)  # fmt: skip
        for kind, item, firm, mine in cases:
            with transaction.atomic():
                locked, row = vouchers_lock_facts([mine.pk], firm_id=firm.pk, item_id=item,
                                                  service=kind != "booking")  # fmt: skip
            assert list(locked) == [mine.pk]
            got = facts_of_row(row, order_kind=kind, fee_fen=1, programme=programme)
            want = order_facts_row(order_kind=kind, item_id=item, firm_id=firm.pk, fee_fen=1,
                                   programme=programme, rules=rules, at=timezone.now())  # fmt: skip
            assert got == want, (stage, kind, firm)
    assert facts_of_row(row, order_kind="booking", fee_fen=1, programme=programme)[0].related_party
    with transaction.atomic():  # another firm's voucher: nothing locked, no facts
        assert vouchers_lock_facts([theirs.pk], firm_id=firm_a.pk, item_id=instrument.pk,
                                   service=False) == ({}, None)  # fmt: skip
        _locked, row = vouchers_lock_facts([voucher.pk], firm_id=firm_a.pk, item_id=-1,
                                           service=False)  # fmt: skip
    with pytest.raises(Instrument.DoesNotExist):
        facts_of_row(row, order_kind="booking", fee_fen=1, programme=programme)


def test_a_new_rules_version_prices_the_next_hold(book, voucher, reviewer, programme):
    book([voucher], start_hour=9, hours=3)  # ¥550 under version 1 (its rules now cached)
    programmes.programme_update(actor=reviewer, programme_id=programme.pk, note="降到 30%",
                                rules={"tiers": [{"up_to_fen": None, "ratio_bp": 3000}]})  # fmt: skip
    second = book([voucher], start_hour=13, hours=3)  # ¥600 fee
    hold = OrderVoucherHold.objects.get(order_id=second.pk)
    assert (hold.held_fen, hold.programme_version.number) == (180 * YUAN, 2)
    ledger_agrees(voucher)


def test_the_creations_payment_follows_the_orders_next_move(book, voucher, alice, manager):
    booking = book([voucher], hours=3)
    fresh = payments_for("booking", [booking])[booking.pk]
    assert [(ln["state"], ln["amount_fen"]) for ln in fresh["lines"]] == [("held", 550 * YUAN)]
    assert fresh["lines"][0]["voucher_code"] == voucher.code
    read_back = payments_for("booking", [type(booking).objects.get(pk=booking.pk)])
    assert read_back[booking.pk] == fresh
    booking_services.booking_cancel(actor=alice, booking=booking, reason="改期")
    after = payments_for("booking", [booking])[booking.pk]  # the same instance, moved
    assert (after["voucher_fen"], after["lines"][0]["state"]) == (0, "released")


def test_a_booking_without_vouchers_shows_no_voucher_part(book):
    booking = book(hours=1)
    assert payments_for("booking", [booking])[booking.pk]["lines"] == []


def test_last_years_holds_do_not_count_this_year(book, voucher, programme, firm_a, instrument):
    rules = rules_parse(programme.rules)
    later = timezone.now() + dt.timedelta(days=400)
    book([voucher], hours=1)
    _f, _b, used = order_facts_row(order_kind="booking", item_id=instrument.pk, firm_id=firm_a.pk,
                                   fee_fen=1, programme=programme, rules=rules, at=later)  # fmt: skip
    assert used == 0


def test_no_rules_means_no_block_and_no_year(
    book, voucher, programme, firm_a, instrument, reviewer
):
    ProgrammeBlock.objects.create(programme=programme, organisation=firm_a, reason="审计",
                                  blocked_by=reviewer)  # fmt: skip
    _f, blocked, used = order_facts_row(order_kind="booking", item_id=instrument.pk,
                                        firm_id=firm_a.pk, fee_fen=1, programme=programme)  # fmt: skip
    assert (blocked, used) == (False, 0)
