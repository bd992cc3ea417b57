from booking.api import bookings, kiosk, service_requests, waitlist

urlpatterns = [
    *bookings.urlpatterns,
    *service_requests.urlpatterns,
    *waitlist.urlpatterns,
    *kiosk.urlpatterns,
]
