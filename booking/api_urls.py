from booking.api import bookings, service_requests, uncovered

urlpatterns = [*bookings.urlpatterns, *service_requests.urlpatterns, *uncovered.urlpatterns]
