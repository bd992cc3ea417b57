from booking.api import bookings, series, service_requests, uncovered

urlpatterns = [
    *bookings.urlpatterns,
    *series.urlpatterns,
    *service_requests.urlpatterns,
    *uncovered.urlpatterns,
]
