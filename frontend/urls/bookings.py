from django.urls import path

from frontend.views import booking_lab, booking_series
from frontend.views import bookings as views

urlpatterns = [
    path("instruments/<int:pk>/book/", views.booking_create, name="booking-create"),
    path("instruments/<int:pk>/book/quote/", views.booking_quote, name="booking-quote"),
    path("instruments/<int:pk>/calendar/", views.instrument_calendar, name="instrument-calendar"),
    path("bookings/", views.my_bookings, name="my-bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking-detail"),
    path("instruments/<int:pk>/series/", booking_series.series_create, name="series-create"),
    path("series/<int:pk>/", booking_series.series_detail, name="series-detail"),
    path("series/<int:pk>/cancel/", booking_series.series_cancel, name="series-cancel"),
    path("bookings/<int:pk>/move/", booking_lab.booking_move, name="booking-move"),
    path(
        "bookings/<int:pk>/lab-cancel/", booking_lab.booking_lab_cancel, name="booking-lab-cancel"
    ),
    path("lab/book-for-firm/", booking_lab.book_for_firm, name="book-for-firm"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking-action"),
    path("lab/today/", views.lab_today, name="lab-today"),
    path("lab/approvals/", views.lab_approvals, name="lab-approvals"),
    path("notifications/", views.notification_list, name="notifications"),
    path("feeds/reset/", views.feed_reset, name="feed-reset"),
    path("feeds/<str:token>.ics", views.feed, name="booking-feed"),
]
