from django.urls import path

from frontend.views import kiosk, waitlist

urlpatterns = [
    path("instruments/<int:pk>/waitlist/", waitlist.waitlist_join, name="waitlist-join"),
    path("waitlist/", waitlist.waitlist_page, name="waitlist"),
    path("waitlist/<int:pk>/claim/", waitlist.waitlist_claim, name="waitlist-claim"),
    path("waitlist/<int:pk>/leave/", waitlist.waitlist_leave, name="waitlist-leave"),
    path("kiosk/bookings/<int:pk>/code/", kiosk.kiosk_code, name="kiosk-code"),
    path("lab/kiosks/", kiosk.token_list, name="lab-kiosks"),
    path("lab/kiosks/tokens/<int:pk>/revoke/", kiosk.token_revoke, name="lab-kiosk-token-revoke"),
    path("lab/kiosks/<int:pk>/", kiosk.kiosk_page, name="lab-kiosk"),
    path("lab/kiosks/<int:pk>/start/", kiosk.kiosk_start, name="lab-kiosk-start"),
    path("kiosk/station/<int:pk>/", kiosk.kiosk_station, name="kiosk-station"),
]
