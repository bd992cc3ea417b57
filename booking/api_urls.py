from booking.api import bookings, service_requests

urlpatterns = [*bookings.urlpatterns, *service_requests.urlpatterns]
