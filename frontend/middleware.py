"""Pages whose acting organisation is ambiguous answer with a chooser, not an error.

``accounts.acting`` refuses to guess (``acting_organisation_required``): a member of two
firms wearing a lab's hat, say, who opens "My bookings". Every page that acts for an
organisation lets that error rise; here it becomes the list of the person's
organisations of that kind, each a button of the navbar's switch that comes back to
the page.
"""

from __future__ import annotations

from django.shortcuts import render

from config.errors import Invalid


class ActingChoiceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Invalid) or exception.code != "acting_organisation_required":
            return None
        if request.path.startswith("/api/"):
            return None  # the API answers its own JSON 400 (config.api_errors)
        kind = exception.data.get("kind", "")
        memberships = request.user.memberships.select_related("organisation").order_by(
            "organisation__name", "pk"
        )
        if kind:
            memberships = memberships.filter(organisation__kind=kind)
        context = {
            "message": exception.message,
            "memberships": memberships,
            "next": request.get_full_path() if request.method == "GET" else "",
        }
        return render(request, "frontend/acting/choose.html", context, status=400)
