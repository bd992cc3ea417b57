"""Who may see what: the one permission mechanism.

Every selector that returns orders, catalogue items or profiles filters through
a ``Scope``. Something outside the scope is answered as *not found* (404), so
one firm cannot even learn that another firm's order exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from accounts.models import Membership, Organisation


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_admin: bool = False
    firm_ids: frozenset[int] = field(default_factory=frozenset)
    provider_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    region_prefixes: tuple[str, ...] = ()

    @classmethod
    def for_user(cls, user) -> Scope:
        """The scope of ``user``'s memberships, cached on the user object for one request."""
        if user is None or not user.is_authenticated:
            return cls(user_id=None)
        cached = getattr(user, "_labshare_scope", None)
        if cached is not None:
            return cached
        scope = cls.from_rows(user, _membership_rows(user.pk))
        user._labshare_scope = scope
        return scope

    @classmethod
    def from_memberships(cls, user, memberships) -> Scope:
        """The scope of memberships already read with their organisations and the
        department's ``region_scope_id`` (accounts.acting.user_memberships: a page reads
        them once for the navbar, and its scope need not read them again)."""
        rows = [
            (m.organisation_id, m.organisation.kind, m.region_scope_id)
            for m in memberships
            if m.organisation.is_active
        ]
        return cls.from_rows(user, rows)

    @classmethod
    def from_rows(cls, user, rows) -> Scope:
        """From (organisation id, kind, department's region code) of active memberships."""
        firms, providers, departments, prefixes = set(), set(), set(), []
        for org_id, kind, region_code in rows:
            if kind == Organisation.Kind.FIRM:
                firms.add(org_id)
            elif kind == Organisation.Kind.PROVIDER:
                providers.add(org_id)
            elif kind == Organisation.Kind.DEPARTMENT:
                departments.add(org_id)
                if region_code:
                    prefixes.append(region_prefix(region_code))
        return cls(
            user_id=user.pk,
            is_admin=user.is_superuser,
            firm_ids=frozenset(firms),
            provider_ids=frozenset(providers),
            department_ids=frozenset(departments),
            region_prefixes=tuple(sorted(set(prefixes))),
        )

    @property
    def is_reviewer(self) -> bool:
        return bool(self.department_ids)

    def in_region_q(self, region_field: str) -> Q:
        """Q matching rows whose region code lies under one of the reviewer's regions."""
        if self.is_admin:
            return Q()
        q = Q(pk__in=[])
        for prefix in self.region_prefixes:
            q |= Q(**{f"{region_field}__startswith": prefix})
        return q

    def covers_region(self, region_code: str) -> bool:
        return self.is_admin or any(region_code.startswith(p) for p in self.region_prefixes)

    def can_manage_provider(self, provider_id: int) -> bool:
        return self.is_admin or provider_id in self.provider_ids

    def can_act_for_firm(self, firm_id: int) -> bool:
        return firm_id in self.firm_ids


def _membership_rows(user_id: int) -> list[tuple[int, str, str | None]]:
    """(organisation id, kind, department's region code) of the user's active memberships.
    Plain SQL: every API request builds a Scope, and the ORM spent several times the
    query's own CPU compiling this three-table join each time."""
    from accounts.models import DepartmentProfile

    # Only table names are interpolated; the user id is a parameter.
    sql = (
        f"SELECT m.organisation_id, o.kind, d.region_scope_id FROM {Membership._meta.db_table} m"  # noqa: S608
        f" JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id"
        f" LEFT JOIN {DepartmentProfile._meta.db_table} d ON d.organisation_id = o.id"
        " WHERE m.user_id = %s AND o.is_active"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        return cursor.fetchall()


def region_prefix(code: str) -> str:
    """``330000`` → ``33``, ``330100`` → ``3301``, a county keeps its six digits."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def scope_of(request_or_user) -> Scope:
    user = getattr(request_or_user, "user", request_or_user)
    return Scope.for_user(user)
