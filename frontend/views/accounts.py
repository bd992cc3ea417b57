from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.middleware import SESSION_KEY


def landing(request):
    if request.user.is_authenticated:
        return redirect("frontend:home")
    return render(request, "frontend/landing.html")


@login_required
def home(request):
    return render(request, "frontend/home.html", {"acting": request.acting})


@login_required
@require_POST
def switch_acting_as(request):
    membership_id = request.POST.get("membership")
    if request.user.memberships.filter(pk=membership_id).exists():
        request.session[SESSION_KEY] = int(membership_id)
    return redirect("frontend:home")
