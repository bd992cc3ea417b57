from booking.api import bookings, series, service_requests

urlpatterns = [*bookings.urlpatterns, *series.urlpatterns, *service_requests.urlpatterns]
