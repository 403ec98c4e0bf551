"""The borrower's notifications: the list, marking one or all as read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from relief import selectors
from relief.models import Notification
from relief.services.notifications import notification_mark_all_read, notification_mark_read
from relief.views import PAGE_SIZE, safe_next


@login_required
@require_safe
def notification_list(request):
    page = Paginator(selectors.notifications_of_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "relief/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    try:
        notification_mark_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None
    return redirect(safe_next(request, reverse("notification-list")))


@login_required
@require_POST
def notification_read_all(request):
    count = notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect(safe_next(request, reverse("notification-list")))
