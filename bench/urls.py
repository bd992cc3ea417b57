"""The app's URLs plus /bench/bare-bookings/ (bench-only, see bench/settings.py)."""

from django.urls import path

from bench.bare import BareBookingView
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/bare-bookings/", BareBookingView.as_view()), *app_urlpatterns]
