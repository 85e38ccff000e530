from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from couples import selectors as couples_selectors

from . import services
from .forms import PreferencesForm
from .kinds import KINDS, is_enabled
from .models import Notification


@login_required
def notifications(request):
    page = Paginator(Notification.objects.filter(user=request.user).order_by("-created_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "reminders/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request, notification_id: int):
    """Marks one notification read and follows its link."""
    notification = Notification.objects.filter(user=request.user, pk=notification_id).first()
    if notification is None:
        raise Http404
    services.notification_mark_read(notification=notification)
    if _is_couple_page(notification.url):
        # A notification from a couple that has ended since (the partner
        # left, or they did): its page is gone, the history of what this
        # person wrote in that couple is not.
        couple_id = couples_selectors.former_couple_at(user=request.user, when=notification.created_at)
        if couple_id is not None:
            return redirect("couple-history", couple_id=couple_id)
    return redirect(notification.url or "notifications")


def _is_couple_page(url: str) -> bool:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return getattr(match.func, "couple_required", False)


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    prefs = services.prefs_for(request.user)
    initial = {
        "email": prefs.email,
        "push": prefs.push,
        "daily_cap": prefs.daily_cap,
        "lead_minutes": prefs.lead_minutes,
        **{f"kind_{key}": is_enabled(kind, prefs.kinds) for key, kind in KINDS.items()},
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(user=request.user, data=form.to_service_data())
        messages.success(request, gettext("Saved. Reminders will follow these settings from now on."))
        return redirect("notification-preferences")
    return render(request, "reminders/preferences.html", {"form": form})
