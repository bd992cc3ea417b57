from booking.models.bookings import Booking, Session
from booking.models.feeds import FeedToken
from booking.models.history import StateChange
from booking.models.holidays import Festival, HolidaySchedule, OfficialDay
from booking.models.kiosk import InstrumentToken, KioskCode
from booking.models.notifications import Announcement, Notification
from booking.models.series import BookingMove, BookingSeries
from booking.models.service_requests import ServiceRequest, ServiceRequestAttachment
from booking.models.waitlist import WaitlistEntry

__all__ = [
    "Announcement",
    "Booking",
    "BookingMove",
    "BookingSeries",
    "FeedToken",
    "Festival",
    "HolidaySchedule",
    "InstrumentToken",
    "KioskCode",
    "Notification",
    "OfficialDay",
    "ServiceRequest",
    "ServiceRequestAttachment",
    "Session",
    "StateChange",
    "WaitlistEntry",
]
