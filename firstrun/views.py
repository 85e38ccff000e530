"""The first run after pairing, four short screens: a first check-in
schedule together (a proposal the partner accepts), notifications on this
phone, quiet hours, and what the partner can and cannot see. Skippable at
every screen; Settings leads back to it. Writes go through the features'
own services (check-ins, accounts) and this app's."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services as accounts
from backend.errors import DomainError
from backend.weekdays import in_week_order
from checkins import selectors as checkins_selectors
from checkins import services as checkins
from checkins.models import Schedule
from checkins.views import WEEKDAYS, ScheduleForm
from couples.selectors import couple_get_for_member, couple_partner_of

from . import selectors, services

STEPS = ["welcome", "welcome-notifications", "welcome-quiet-hours", "welcome-privacy"]


def _context(request, step: int, **extra) -> dict:
    couple = couple_get_for_member(user=request.user)
    partner = couple_partner_of(couple=couple, user=request.user)
    return {
        "step": step,
        "steps": len(STEPS),
        "next_url": STEPS[step] if step < len(STEPS) else None,
        "partner_name": partner.display_name if partner and partner.display_name else gettext("your partner"),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def schedule_step(request):
    couple = couple_get_for_member(user=request.user)
    if (
        request.method == "GET"
        and "again" not in request.GET
        and selectors.first_run_done(user=request.user, couple=couple)
    ):
        return redirect("home")
    form = ScheduleForm(
        request.POST if request.POST.get("action") == "propose" else None,
        initial={"format": "daily-pulse", "time": dt.time(20, 0), "timezone": couple.timezone, "weekdays": [0, 3]},
        formats=checkins_selectors.formats_for_couple(couple=couple),
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "accept":
                raw = request.POST.get("schedule", "")
                schedule = checkins_selectors.schedule_get_for_member(
                    user=request.user, schedule_id=int(raw) if raw.isdigit() and len(raw) < 10 else 0
                )
                checkins.schedule_accept(schedule=schedule, user=request.user)
                messages.success(request, gettext("Accepted. It's on for both of you now."))
                return redirect("welcome-notifications")
            if form.is_valid():
                data = form.cleaned_data
                checkins.schedule_propose(
                    couple=couple,
                    user=request.user,
                    format=form.chosen_format(),
                    weekdays=data["weekdays"],
                    time=data["time"],
                    timezone_name=data["timezone"],
                )
                messages.success(request, gettext("Proposed. It starts once your partner accepts it on their phone."))
                return redirect("welcome-notifications")
        except DomainError as exc:
            if form.is_bound:
                form.add_error(None, exc.message)
            else:  # an accept that could not be: said above the page
                messages.error(request, exc.message)
    schedules = list(checkins_selectors.schedules_for_member(user=request.user, couple=couple))
    names = {d: str(long) for d, _short, long in WEEKDAYS}  # checkins.views.WEEKDAYS is lazy (#26)
    for s in schedules:
        s.days_words = ", ".join(names[d] for d in in_week_order(set(s.weekdays)))
    waiting_for_me = [
        s for s in schedules if s.status == Schedule.Status.PROPOSED and s.proposed_by_id != request.user.pk
    ]
    return render(
        request,
        "firstrun/schedule.html",
        _context(
            request,
            1,
            form=form,
            waiting_for_me=waiting_for_me,
            mine_waiting=[
                s for s in schedules if s.status == Schedule.Status.PROPOSED and s.proposed_by_id == request.user.pk
            ],
            active=[s for s in schedules if s.status == Schedule.Status.ACTIVE],
        ),
    )


@login_required
@require_http_methods(["GET"])
def notifications_step(request):
    return render(request, "firstrun/notifications.html", _context(request, 2))


class QuietHoursForm(forms.Form):
    quiet_hours_start = forms.TimeField(
        required=False,
        label=_("From"),
        error_messages={"invalid": _("Enter a time, like 22:00.")},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_hours_end = forms.TimeField(
        required=False,
        label=_("Until"),
        error_messages={"invalid": _("Enter a time, like 07:30.")},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def quiet_hours_step(request):
    user = request.user
    form = QuietHoursForm(
        request.POST or None,
        initial={"quiet_hours_start": user.quiet_hours_start, "quiet_hours_end": user.quiet_hours_end},
    )
    if request.method == "POST" and form.is_valid():
        try:
            accounts.user_update(user=user, fields_set=set(form.cleaned_data), **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            user.refresh_from_db()
        else:
            messages.success(request, gettext("Saved. Reminders wait while you have quiet hours."))
            return redirect("welcome-privacy")
    return render(
        request,
        "firstrun/quiet_hours.html",
        _context(request, 3, form=form, timezone_label=user.timezone.replace("_", " ")),
    )


@login_required
@require_http_methods(["GET"])
def privacy_step(request):
    return render(request, "firstrun/privacy.html", _context(request, 4))


@login_required
@require_POST
def finish(request):
    couple = couple_get_for_member(user=request.user)
    skipped = request.POST.get("action") == "skip"
    services.first_run_end(user=request.user, couple=couple, skipped=skipped)
    if not skipped:
        messages.success(request, gettext("You're all set. Welcome to Steady, together."))
    return redirect("home")
