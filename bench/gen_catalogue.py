"""Categories, instruments (with opening hours and prices) and testing services.

Instruments and services are built as model instances and written with COPY
(sqlutil.copy_objects) rather than INSERT … SELECT because their search columns are computed
in Python by the catalogue's own code (facilities.search), and the bench must search what the
app would.
"""

from __future__ import annotations

from django.db import connection

from accounts.models import Organisation
from bench import names
from bench.sqlutil import copy_objects, execute, insert_select, is_done, rows, scalar, step
from facilities.models import Category, Instrument, TestingService
from facilities.regions import region_codes_sync

CHUNK = 10_000


def ensure_categories() -> dict[str, Category]:
    by_code: dict[str, Category] = {}
    for code, zh, en, parent in names.CATEGORIES:
        cat = Category.objects.filter(code=code).first()
        if cat is None:
            cat = Category(code=code, name_zh=zh, name_en=en, parent=by_code.get(parent))
            cat.save()
        by_code[code] = cat
    return by_code


def _providers() -> list[Organisation]:
    found = rows(
        "SELECT o.id, o.name FROM bench_providers p JOIN accounts_organisation o"
        " ON o.id = p.org_id ORDER BY p.seq"
    )
    return [Organisation(id=pk, name=name, kind="provider") for pk, name in found]


def _set_search(obj) -> None:
    """Fill search columns with the catalogue's own function when it exists."""
    if hasattr(obj, "searchable_parts"):
        from facilities.search import build

        obj.search_text, obj.search_tokens = build(*obj.searchable_parts())


def _instrument(s: int, cats: dict[str, Category], providers: list[Organisation]) -> Instrument:
    leaves = sorted(names.INSTRUMENTS)
    leaf = leaves[s % len(leaves)]
    kinds = names.INSTRUMENTS[leaf]
    maker, country = names.MANUFACTURERS[(s // 3) % len(names.MANUFACTURERS)]
    provider = providers[(s * 31) % len(providers)]
    rate = (100 + (s * 17) % 900) * 100
    inst = Instrument(
        provider=provider,
        category=cats[leaf],
        name=kinds[(s // len(leaves)) % len(kinds)]
        + names.NAME_SUFFIXES[(s // 7) % len(names.NAME_SUFFIXES)],
        model_number=f"{'ABCDEFGHKMNPRTX'[s % 15]}{'LSX'[s % 3]}-{1000 + s % 9000}",
        manufacturer=maker,
        country_of_origin=country,
        original_value_fen=(30 + (s * 37) % 970) * 1_000_000,
        specifications=names.USES_BY_LEAF[leaf][1],
        main_uses=names.USES_BY_LEAF[leaf][0] + (names.SPECTRUM_NOTE if s % 20 == 7 else ""),
        service_content="提供机时共享、样品测试与技术培训。",
        reference_fees=f"对外 {rate // 100} 元/小时",
        location=f"{provider.name[:2]}实验楼 {s % 12 + 1}01 室",
        contact_name=names.SURNAMES[s % len(names.SURNAMES)] + "工",
        contact_phone=f"0571-{86000000 + s}",
        status="maintenance" if s % 50 == 0 else ("retired" if s % 97 == 0 else "active"),
        requires_approval=s % 10 != 0,
        requires_training=s % 8 == 0,
        horizon_days=90,
    )
    if hasattr(inst, "external_price_fen"):
        inst.external_price_fen = rate
    _set_search(inst)
    return inst


def _instrument_extras(lo: int, hi: int) -> int:
    """Opening hours (Mon–Sat 08:00–20:00 local) and three prices per instrument."""
    where = f"FROM bench_instruments WHERE seq BETWEEN {lo} AND {hi}"
    n = insert_select(
        "facilities_openinghours",
        {"instrument_id": "id", "weekday": "d", "opens_at": "'08:00'", "closes_at": "'20:00'"},
        f"FROM bench_instruments CROSS JOIN generate_series(0, 5) d WHERE seq BETWEEN {lo} AND {hi}",
    )
    for group, factor in (("internal", "0.5"), ("external_firm", "1"), ("academic", "0.8")):
        n += insert_select(
            "facilities_price",
            {
                "instrument_id": "id",
                "client_group": f"'{group}'",
                "per_hour_fen": f"(rate * {factor})::bigint",
            },
            where,
        )
    return n


def generate_instruments(target: int) -> None:
    have = scalar("SELECT count(*) FROM bench_instruments")
    if have >= target:
        return
    cats, providers = ensure_categories(), _providers()
    for lo in range(have + 1, target + 1, CHUNK):
        hi = min(lo + CHUNK - 1, target)
        with step(f"instruments {lo}-{hi}") as done:
            batch = [_instrument(s, cats, providers) for s in range(lo, hi + 1)]
            copy_objects(Instrument, batch)
            with (
                connection.cursor() as cur,
                cur.copy(
                    "COPY bench_instruments (seq, id, provider_id, bookable, rate) FROM STDIN"
                ) as copy,
            ):
                for s, inst in zip(range(lo, hi + 1), batch, strict=True):
                    bookable = inst.status == "active" and not inst.requires_training
                    rate = (100 + (s * 17) % 900) * 100
                    copy.write_row((s, inst.pk, inst.provider_id, bookable, rate))
            done["rows"] = len(batch) + _instrument_extras(lo, hi)


def _service(s: int, cats: dict[str, Category], providers: list[Organisation]) -> TestingService:
    name, code, standard = names.SERVICES[s % len(names.SERVICES)]
    variant = ["", "（加急）", "（CMA 报告）", "（批量优惠）"][(s // len(names.SERVICES)) % 4]
    return TestingService(
        provider=providers[(s * 13) % len(providers)],
        category=cats[code],
        name=name + variant,
        standards=standard,
        description="依据国家标准开展检测，出具带 CMA 标志的检测报告；可配合光谱、色谱等手段分析。",
        sample_requirements="样品不少于 3 件，注明材质与批号。",
        price_fen=(200 + (s * 11) % 3000) * 100,
        price_unit="per_batch" if s % 4 == 0 else "per_sample",
        turnaround_days=3 + s % 10,
        in_accredited_scope=s % 3 != 0,
    )


def refresh_instrument_text(version: str = "instrument text v3") -> None:
    """Rewrite generated instruments' descriptions and search columns once after the
    vocabulary changed (v3: uses and specifications per category, so 光谱 matches about one
    instrument in six instead of nearly half), without regenerating the bookings on them."""
    if is_done(version):
        return
    cats, providers = ensure_categories(), _providers()
    # Same column types as the real table (search_tokens became text[] on PostgreSQL).
    execute("DROP TABLE IF EXISTS bench_text")
    execute(
        "CREATE TEMP TABLE bench_text AS SELECT id, specifications, main_uses, search_text,"
        " search_tokens FROM facilities_instrument LIMIT 0"
    )
    types = [
        r[0]
        for r in rows(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid ="
            " 'bench_text'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        )
    ]
    as_array = types[-1].endswith("[]")
    with step(version) as done:
        ids = rows("SELECT seq, id FROM bench_instruments ORDER BY seq")  # not during the COPY
        # COPY then one UPDATE … FROM: bulk_update's CASE per row is far slower at 50,000.
        with connection.cursor() as cur, cur.copy("COPY bench_text FROM STDIN") as copy:
            copy.set_types(types)
            for seq, pk in ids:
                i = _instrument(seq, cats, providers)
                tokens = i.search_tokens.split() if as_array else i.search_tokens
                copy.write_row((pk, i.specifications, i.main_uses, i.search_text, tokens))
        done["rows"] = execute(
            "UPDATE facilities_instrument i SET specifications = t.specifications,"
            " main_uses = t.main_uses, search_text = t.search_text, search_tokens = t.search_tokens"
            " FROM bench_text t WHERE t.id = i.id"
        )
    execute("ANALYZE facilities_instrument")


def generate_services(target: int) -> None:
    have = scalar("SELECT count(*) FROM bench_services")
    if have >= target:
        return
    cats, providers = ensure_categories(), _providers()
    with step(f"services {have + 1}-{target}") as done:
        batch = [_service(s, cats, providers) for s in range(have + 1, target + 1)]
        copy_objects(TestingService, batch)
        for svc in batch:
            # save() computes the search columns from category and provider (both in memory).
            svc.save(update_fields=["search_text", "search_tokens"])
        with (
            connection.cursor() as cur,
            cur.copy("COPY bench_services (seq, id, price) FROM STDIN") as copy,
        ):
            for s, svc in zip(range(have + 1, target + 1), batch, strict=True):
                copy.write_row((s, svc.pk, svc.price_fen))
        done["rows"] = len(batch)
    # COPY bypasses save(): copy the providers' region codes (instruments too), one UPDATE each.
    region_codes_sync()
    execute("VACUUM ANALYZE facilities_instrument")  # the UPDATEs leave dead rows; autovacuum
    execute("VACUUM ANALYZE facilities_testingservice")  # may be off on the bench server
