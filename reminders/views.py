from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

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
    return redirect(notification.url or "notifications")


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
        messages.success(request, "Saved. Reminders will follow these settings from now on.")
        return redirect("notification-preferences")
    return render(request, "reminders/preferences.html", {"form": form})
