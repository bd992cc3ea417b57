"""What the dashboard's filter bar offers: the reader's cities (and a city's counties),
the categories, and the providers of the reader's region.

Read by hand on every page of the dashboard. Through the ORM these three small reads
cost ~1.5 ms each of building and compiling on the busy two cores, more than
PostgreSQL's reading of a few hundred rows; labels still come from each model's own
``__str__``, so the reader's language decides.
"""

from __future__ import annotations

from accounts.models import Organisation, Region
from accounts.scoping import Scope
from config.db_router import replica_alias
from facilities.models import Category
from tracker.selectors.filters import prefix_sql
from tracker.selectors.yearly import fetch


def _scope_sql(scope: Scope, column: str) -> tuple[str, list]:
    """The reader's regions as SQL over ``column`` (a region code): nothing for an admin."""
    if scope.is_admin:
        return "", []
    parts = [prefix_sql(prefix, column) for prefix in scope.region_prefixes]
    if not parts:
        return " AND 1 = 0", []
    sql = " OR ".join(f"({sql})" for sql, _ in parts)
    return f" AND ({sql})", [p for _, params in parts for p in params]


def region_choices(scope: Scope) -> list[tuple[str, str]]:
    """The cities the reader covers (a city reviewer: its own city and its counties)."""
    where, params = _scope_sql(scope, "code")
    sql = (
        f"SELECT code, name_zh, name_en, level FROM {Region._meta.db_table}"  # noqa: S608
        f" WHERE level IN (%s, %s){where} ORDER BY code"
    )
    rows = fetch(replica_alias(), sql, [Region.Level.CITY, Region.Level.COUNTY, *params])
    cities = [row for row in rows if row[3] == Region.Level.CITY]
    if len(cities) > 1:
        return [(code, _region_name(code, zh, en)) for code, zh, en, _level in cities]
    # One city: offer its counties as well, indented under it.
    return [
        (
            code,
            _region_name(code, zh, en)
            if level == Region.Level.CITY
            else f"— {_region_name(code, zh, en)}",
        )
        for code, zh, en, level in rows
    ]


def _region_name(code: str, zh: str, en: str) -> str:
    return str(Region(code=code, name_zh=zh, name_en=en))


def category_choices() -> list[tuple[str, str]]:
    """Top-level categories and their children (a category counts its subtree)."""
    table = Category._meta.db_table
    sql = (
        f"SELECT c.id, c.parent_id, c.name_zh, c.name_en FROM {table} c"  # noqa: S608
        f" LEFT JOIN {table} p ON p.id = c.parent_id"
        " WHERE p.parent_id IS NULL ORDER BY c.path"
    )
    choices = []
    for pk, parent, zh, en in fetch(replica_alias(), sql, []):
        name = str(Category(name_zh=zh, name_en=en))
        choices.append((str(pk), f"— {name}" if parent else name))
    return choices


def _providers_sql(scope: Scope) -> tuple[str, list]:
    where, params = _scope_sql(scope, "region_id")
    sql = f"FROM {Organisation._meta.db_table} WHERE kind = %s AND is_active{where}"  # noqa: S608
    return sql, [Organisation.Kind.PROVIDER, *params]


def provider_count_above(scope: Scope, limit: int) -> bool:
    """Whether the reader's region has more than ``limit`` active providers (counted up
    to ``limit + 1``, unsorted: sorting a province's 5,000 names cost 4 ms a page)."""
    rest, params = _providers_sql(scope)
    sql = f"SELECT COUNT(*) FROM (SELECT 1 {rest} LIMIT %s) few"  # noqa: S608
    return fetch(replica_alias(), sql, [*params, limit + 1])[0][0] > limit


def provider_names(scope: Scope) -> list[tuple[int, str]]:
    """(id, name) of every active provider of the reader's region, by name."""
    rest, params = _providers_sql(scope)
    return fetch(replica_alias(), f"SELECT id, name {rest} ORDER BY name, id", params)  # noqa: S608
