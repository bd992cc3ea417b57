"""The organisation a request acts for: one rule for every page and every endpoint.

A person may belong to several organisations (DESIGN.md, "Acting as"). Which one an
order is placed for, or whose queue a lab manager works through, is decided here and
nowhere else:

1. **Named explicitly**: the API's field (``firm`` on an order) or the
   ``X-Acting-Organisation`` header. It must be one of the caller's organisations of
   the kind asked for; anything else is refused (400 ``acting_organisation_invalid``).
2. **Chosen in the navbar's switch** (``acting_choose``, kept in the session). Pages
   always wear a hat: the chosen membership, else the person's first one, and the
   navbar shows it. The API counts the switch only when it was actually used.
3. **The only one**: a person with a single organisation of the kind needs no choice.
4. Otherwise the request is **ambiguous** and refused (400
   ``acting_organisation_required``): a member of two firms who names neither.

A person with no organisation of the kind gets ``None``; the caller says what to do
(register a firm, ...).
"""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from accounts.models import Membership, Organisation
from accounts.scoping import Scope
from config.errors import Invalid

SESSION_KEY = "acting_membership_id"
HEADER = "X-Acting-Organisation"

# For the OpenAPI schema of every endpoint that acts for an organisation.
ACTING_PARAMETER = OpenApiParameter(
    HEADER,
    int,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "The id of the organisation you act for. Needed only when you belong to several "
        "organisations of the kind the endpoint acts for (e.g. two firms) and name none "
        "in the body; otherwise 400 `acting_organisation_required`. An organisation you "
        "do not belong to, or one that differs from the body's `firm`, is 400 "
        "`acting_organisation_invalid`."
    ),
)
FIRM_FIELD_HELP = (
    "The firm this order is for (its organisation id). Needed only for members of several "
    "firms; the X-Acting-Organisation header says the same."
)

_FIELD = {Organisation.Kind.FIRM: "firm", Organisation.Kind.PROVIDER: "provider"}


def user_memberships(request) -> list[Membership]:
    """The signed-in user's memberships with their organisations, oldest first, read once
    per request: the acting choice picks one and the navbar lists them all. The same read
    gives the user's Scope (``region_scope_id``: a department's region), unless it was
    built already."""
    cached = getattr(request, "_user_memberships", None)
    if cached is None:
        user = request.user
        cached = []
        if user.is_authenticated:
            rows = (
                user.memberships.select_related("organisation")
                .annotate(region_scope_id=F("organisation__department__region_scope"))
                .order_by("created_at", "pk")
            )
            cached = list(rows)
            if getattr(user, "_labshare_scope", None) is None:
                user._labshare_scope = Scope.from_memberships(user, cached)
        request._user_memberships = cached
    return cached


def acting_membership(request) -> Membership | None:
    """The navbar's hat: the membership chosen in this session, else the user's first."""
    if not request.user.is_authenticated:
        return None
    memberships = user_memberships(request)
    chosen = _session_choice(request)
    for membership in memberships:
        if membership.pk == chosen:
            return membership
    return memberships[0] if memberships else None


def acting_choose(request, *, membership_id: int) -> bool:
    """The navbar's switch: wear ``membership_id`` from now on, if it is the user's."""
    if not request.user.memberships.filter(pk=membership_id).exists():
        return False
    request.session[SESSION_KEY] = membership_id
    return True


def acting_organisation_id(request, *, kind: str | None = None, given=None) -> int | None:
    """The id of the organisation (of ``kind``, if given) that ``request`` acts for.

    ``given`` is an explicit choice from the request's data (the API's ``firm`` field);
    the ``X-Acting-Organisation`` header is read here. Errors: Invalid
    ``acting_organisation_invalid`` (a choice that is not one of the user's
    organisations of that kind, or field and header disagreeing), Invalid
    ``acting_organisation_required`` (several candidates, none chosen).
    """
    user = request.user
    if not user.is_authenticated:
        return None
    if not isinstance(request, Request):
        user_memberships(request)  # a page lists them in its navbar: one read for both
    candidates = _candidates(Scope.for_user(user), kind)
    explicit = _explicit(request, kind, given)
    if explicit is not None:
        if explicit not in candidates:
            raise _invalid(kind, _("You do not act for this organisation."))
        return explicit
    chosen = _chosen(request, kind)
    if chosen in candidates:
        return chosen
    if len(candidates) == 1:
        return next(iter(candidates))
    if not candidates:
        return None
    raise Invalid(
        _ambiguous_message(kind, api=isinstance(request, Request)),
        code="acting_organisation_required",
        fields={_FIELD.get(kind, "organisation"): [str(_("Choose one."))]},
        data={"kind": kind or ""},
    )


def acting_firm_id(request, *, given=None) -> int:
    """The firm an order is placed for (``acting_organisation_id`` of kind firm); Invalid
    ``firm_required`` for someone who belongs to no firm."""
    firm_id = acting_organisation_id(request, kind=Organisation.Kind.FIRM, given=given)
    if firm_id is None:
        message = _("Orders are placed for a firm: register or join one first.")
        raise Invalid(message, code="firm_required", fields={"firm": [str(message)]})
    return firm_id


def acting_firm(request, *, given=None) -> Organisation:
    """``acting_firm_id`` as the Organisation."""
    firm_id = acting_firm_id(request, given=given)
    hat = getattr(request, "acting", None)
    if hat and hat.organisation_id == firm_id:
        return hat.organisation
    return Organisation.objects.get(pk=firm_id)


def acting_organisation(request, *, kind: str | None = None, given=None) -> Organisation | None:
    """``acting_organisation_id`` as the Organisation (the hat's own, when it is that one)."""
    org_id = acting_organisation_id(request, kind=kind, given=given)
    if org_id is None:
        return None
    hat = getattr(request, "acting", None)
    if hat and hat.organisation_id == org_id:
        return hat.organisation
    return Organisation.objects.get(pk=org_id)


def _candidates(scope: Scope, kind: str | None) -> frozenset[int]:
    if kind == Organisation.Kind.FIRM:
        return scope.firm_ids
    if kind == Organisation.Kind.PROVIDER:
        return scope.provider_ids
    if kind == Organisation.Kind.DEPARTMENT:
        return scope.department_ids
    return scope.firm_ids | scope.provider_ids | scope.department_ids


def _explicit(request, kind: str | None, given) -> int | None:
    header = request.headers.get(HEADER, "").strip() if hasattr(request, "headers") else ""
    if header and not header.isdigit():
        raise _invalid(kind, _("%(header)s must be an organisation's id.") % {"header": HEADER})
    from_header = int(header) if header else None
    if given is not None and from_header is not None and int(given) != from_header:
        raise _invalid(kind, _("The request names two different organisations to act for."))
    return int(given) if given is not None else from_header


def _chosen(request, kind: str | None) -> int | None:
    """The organisation of the hat, if it is of ``kind``: on a page the hat always worn,
    through the API only one the navbar's switch picked in this session."""
    if isinstance(request, Request):
        chosen = _session_choice(request)
        if chosen is None:
            return None
        row = (
            Membership.objects.filter(pk=chosen, user=request.user)
            .values_list("organisation_id", "organisation__kind")
            .first()
        )
        return row[0] if row and kind in (None, row[1]) else None
    hat = getattr(request, "acting", None)
    if hat and kind in (None, hat.organisation.kind):
        return hat.organisation_id
    return None


def _session_choice(request) -> int | None:
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY) if session is not None else None


def _invalid(kind: str | None, message) -> Invalid:
    return Invalid(
        message,
        code="acting_organisation_invalid",
        fields={_FIELD.get(kind, "organisation"): [str(message)]},
    )


def _ambiguous_message(kind: str | None, *, api: bool):
    if api:
        if kind == Organisation.Kind.FIRM:
            return _(
                "You belong to several firms: name the one you act for (the firm field or "
                "the X-Acting-Organisation header)."
            )
        return _(
            "You belong to several organisations: name the one you act for "
            "(the X-Acting-Organisation header)."
        )
    if kind == Organisation.Kind.FIRM:
        return _("You belong to several firms: choose the one you act for in the menu first.")
    if kind == Organisation.Kind.PROVIDER:
        return _("You manage several labs: choose the one you act for in the menu first.")
    return _("Choose the organisation you act for in the menu first.")
