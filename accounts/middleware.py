"""Which hat the user has on: the membership they are acting as."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

SESSION_KEY = "acting_membership_id"


def acting_membership(request):
    """The membership chosen in this session, else the user's first one, else None."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = list(user.memberships.select_related("organisation").order_by("created_at", "pk"))
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    for membership in memberships:
        if membership.pk == chosen:
            return membership
    return memberships[0]


class ActingAsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acting = SimpleLazyObject(lambda: acting_membership(request))
        return self.get_response(request)
