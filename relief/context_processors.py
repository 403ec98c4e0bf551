"""Values every page's header needs."""

from django.utils.functional import SimpleLazyObject

from relief import selectors


def unread_notifications(request) -> dict:
    """The signed-in user's unread in-app notifications, counted (one COUNT query) only when
    a template shows it; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user))}
