"""Which hat the user has on: the membership they are acting as (accounts.acting)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from accounts.acting import acting_membership, user_memberships


class ActingAsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acting = SimpleLazyObject(lambda: acting_membership(request))
        request.memberships = SimpleLazyObject(lambda: user_memberships(request))
        return self.get_response(request)
