from django import template

from booking.notifications import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """The navbar badge: one indexed count per page."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(user)
