"""Every HTML page; each area keeps its own url module."""

from django.urls import include, path

app_name = "frontend"

urlpatterns = [
    path("", include("frontend.urls.accounts")),
    path("", include("frontend.urls.catalogue")),
    path("", include("frontend.urls.bookings")),
    path("", include("frontend.urls.waitlist")),
    path("", include("frontend.urls.service_requests")),
    path("", include("frontend.urls.vouchers")),
    path("", include("frontend.urls.claims")),
    path("", include("frontend.urls.statements")),
    path("", include("frontend.urls.audits")),
    path("", include("frontend.urls.notices")),
    path("", include("frontend.urls.tracker")),
]
