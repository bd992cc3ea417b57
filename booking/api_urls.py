from booking.api import bookings, kiosk, series, service_requests, uncovered, waitlist

urlpatterns = [
    *bookings.urlpatterns,
    *series.urlpatterns,
    *service_requests.urlpatterns,
    *uncovered.urlpatterns,
    *waitlist.urlpatterns,
    *kiosk.urlpatterns,
]
