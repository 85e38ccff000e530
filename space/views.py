"""Taking space, on the web: choose a return time (quick choices or a time
of your own) with an optional note; the calm status the partner sees;
reconnect and extend; follow-through for the two of you. Server-rendered
and usable without JavaScript.

Times are shown in the viewer's own timezone: "Bob is taking some space
and plans to reconnect by 20:00" reads 20:00 in Berlin for alice even when
Bob typed 14:00 in New York. Views read through ``selectors`` and write
through ``services``; there is no view for the partner to ping or chase."""

import datetime as dt
import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from backend import dates
from backend.errors import DomainError
from backend.forms import domain_error_to_form
from checkins.occurrences import local_to_utc
from couples.selectors import couple_for_user, couple_get_for_member, couple_partner_of
from reminders.quiet import quiet_until

from . import selectors, services
from .models import NOTE_MAX, Kind, SpacePeriod, Status

FOLLOWTHROUGH_WEEKS = 8
# "Tonight" is the first of these later than the quick times (2 hours).
TONIGHT_TIMES = (dt.time(21, 0), dt.time(22, 0), dt.time(23, 0))
STATUS_WORDS = {
    Status.OPEN: _("Taking space"),
    Status.KEPT: _("Back on time"),
    Status.LATE: _("Back, later than planned"),
    Status.MISSED: _("Not marked as back"),
    Status.ENDED: _("Ended with the couple"),
}


# --- time in words, in the viewer's timezone -------------------------------------------


def clock(instant: dt.datetime, tz: zoneinfo.ZoneInfo, now: dt.datetime) -> str:
    """'20:00', '09:00 tomorrow' or '09:00 on Tuesday', in ``tz``."""
    local, today = instant.astimezone(tz), now.astimezone(tz).date()
    hhmm = local.strftime("%H:%M")
    if local.date() == today:
        return hhmm
    if local.date() == today + dt.timedelta(days=1):
        return gettext("%(time)s tomorrow") % {"time": hhmm}
    if local.date() == today - dt.timedelta(days=1):
        return gettext("%(time)s yesterday") % {"time": hhmm}
    return gettext("%(time)s on %(day)s") % {"time": hhmm, "day": date_format(local, "l")}


def _span(period: SpacePeriod, tz: zoneinfo.ZoneInfo) -> str:
    """'Fri 13 Nov, 22:15 to 23:15' (a day is named again if it changes)."""
    start, end = period.started_at.astimezone(tz), period.reconnect_by.astimezone(tz)
    first = dates.when(start, "weekday_day_month_time_short")
    if end.date() == start.date():
        return gettext("%(start)s to %(end)s") % {"start": first, "end": f"{end:%H:%M}"}
    return gettext("%(start)s to %(end)s") % {"start": first, "end": dates.when(end, "weekday_time_short")}


def _name(user) -> str:
    return user.display_name if user is not None and user.display_name else gettext("your partner")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tonight(now: dt.datetime, tz: zoneinfo.ZoneInfo, *, after: dt.datetime) -> dt.datetime | None:
    today = now.astimezone(tz).date()
    for t in TONIGHT_TIMES:
        candidate = local_to_utc(today, t, tz)
        if candidate > after:
            return candidate
    return None


def _next_at(t: dt.time, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The next time the clock shows ``t`` in ``tz``: today, or tomorrow."""
    today = now.astimezone(tz).date()
    candidate = local_to_utc(today, t, tz)
    if candidate <= now:
        candidate = local_to_utc(today + dt.timedelta(days=1), t, tz)
    return candidate


def _quick_choices(now: dt.datetime, tz: zoneinfo.ZoneInfo, *, base: dt.datetime | None = None) -> list[dict]:
    """Quick return times. For taking space they count from now; for an
    extension (``base``), from the time already given."""
    start = base or now
    rows = []
    quick = (
        ("30m", 30, gettext("%(n)d min") % {"n": 30}),
        ("1h", 60, ngettext("%(n)d hour", "%(n)d hours", 1) % {"n": 1}),
        ("2h", 120, ngettext("%(n)d hour", "%(n)d hours", 2) % {"n": 2}),
    )
    for key, minutes, words in quick:
        at = start + dt.timedelta(minutes=minutes)
        label = f"+{words}" if base else words
        rows.append({"key": key, "label": label, "at": at, "at_words": clock(at, tz, now)})
    if base is None:
        # Only when it means something the quick times don't already.
        tonight = _tonight(now, tz, after=rows[-1]["at"])
        if tonight is not None:
            rows.append(
                {"key": "tonight", "label": gettext("Tonight"), "at": tonight, "at_words": clock(tonight, tz, now)}
            )
    return [r for r in rows if r["at"] <= now + services.RECONNECT_MAX]


class WhenForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When will you reconnect?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose when you'll be back."),
            "invalid_choice": _("Choose one of the times shown."),
        },
    )
    custom_time = forms.TimeField(
        label=_("By what time"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time, like 20:30.")},
    )

    def __init__(
        self, *args, choices: list[dict], now: dt.datetime, tz: zoneinfo.ZoneInfo, partner_name: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.quick, self.now, self.tz = choices, now, tz
        if partner_name and "note" in self.fields:
            self.fields["note"].label = gettext("A note for %(name)s") % {"name": partner_name}
        self.fields["when"].choices = [(c["key"], c["label"]) for c in choices] + [("custom", gettext("Another time"))]

    def options(self) -> list[dict]:
        chosen = str(self["when"].value() or "")
        return [
            {**c, "checked": c["key"] == chosen, "id": f"id_when_{c['key']}"}
            for c in [*self.quick, {"key": "custom", "label": gettext("Another time"), "at": None, "at_words": ""}]
        ]

    def clean(self):
        data = super().clean()
        if data.get("when") == "custom" and not data.get("custom_time") and "custom_time" not in self.errors:
            self.add_error("custom_time", gettext("Choose the time you'll be back, like 20:30."))
        return data

    def reconnect_by(self) -> dt.datetime:
        key = self.cleaned_data["when"]
        if key == "custom":
            return _next_at(self.cleaned_data["custom_time"], self.now, self.tz)
        return next(c["at"] for c in self.quick if c["key"] == key)


class TakeForm(WhenForm):
    note = forms.CharField(
        label=_("A note for your partner"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-count": NOTE_MAX}),
    )

    def clean(self):
        data = super().clean()
        if data.get("when") and not self.has_error("when") and not self.has_error("custom_time"):
            # The service checks again; here so that every problem shows at once.
            try:
                services.validate_reconnect_by(self.reconnect_by(), self.now)
            except DomainError as exc:
                self.add_error("when", exc.message)
        return data

    def clean_note(self) -> str:
        # Said here as well as in the service, so a bad time and a long
        # note are both pointed out at once.
        note = self.cleaned_data["note"].replace("\r\n", "\n").strip()
        if len(note) > NOTE_MAX:
            raise forms.ValidationError(
                ngettext(
                    "Keep the note to %(max)d characters; this one has %(n)d.",
                    "Keep the note to %(max)d characters; this one has %(n)d.",
                    len(note),
                )
                % {"max": NOTE_MAX, "n": len(note)}
            )
        return note


def _reminder_words(period: SpacePeriod, user, now: dt.datetime) -> str:
    """When the author's reminder comes, or why it won't (quiet hours)."""
    timeout = period.kind == Kind.TIMEOUT
    due = period.reconnect_by if timeout else period.reconnect_by - services.REMIND_BEFORE
    tz = user.tzinfo
    if due <= now:
        return ""
    if quiet_until(start=user.quiet_hours_start, end=user.quiet_hours_end, tz_name=user.timezone, now=due):
        return gettext("That's within your quiet hours, so there won't be a reminder. Keep an eye on the time.")
    if timeout:
        return gettext("We'll remind you at %(time)s.") % {"time": clock(due, tz, now)}
    return gettext("We'll remind you at %(time)s, ten minutes before.") % {"time": clock(due, tz, now)}


def _period_row(period: SpacePeriod, *, user, now: dt.datetime) -> dict:
    tz = user.tzinfo
    mine = period.author_id == user.pk
    name = _name(period.author)
    at = clock(period.reconnect_by, tz, now)
    overdue = period.is_open and now > period.reconnect_by
    # A time-out reads as one, with the same calm return time and no reason.
    timeout = period.kind == Kind.TIMEOUT
    if mine:
        sentence = gettext("You said you'd reconnect by %(time)s.") % {"time": at}
        if overdue:
            sentence += " " + gettext("Whenever you're ready, mark that you're back.")
    elif overdue and timeout:
        sentence = gettext("%(name)s is taking a time-out and planned to reconnect by %(time)s.") % {
            "name": name,
            "time": at,
        }
    elif overdue:
        sentence = gettext("%(name)s is taking some space and planned to reconnect by %(time)s.") % {
            "name": name,
            "time": at,
        }
    elif timeout:
        sentence = gettext("%(name)s is taking a time-out and plans to reconnect by %(time)s.") % {
            "name": name,
            "time": at,
        }
    else:
        sentence = gettext("%(name)s is taking some space and plans to reconnect by %(time)s.") % {
            "name": name,
            "time": at,
        }
    return {
        "period": period,
        "mine": mine,
        "name": name,
        "sentence": sentence,
        "at": at,
        "overdue": overdue,
        "extended": period.reconnect_by > period.first_reconnect_by,
        "started": clock(period.started_at, tz, now),
        "span": _span(period, tz),
        "status_words": _status_words(period, user),
        "reminder": _reminder_words(period, user, now) if mine and period.is_open else "",
    }


# For features built on taking space (repair's time-outs).
period_row = _period_row


def _status_words(period: SpacePeriod, user) -> str:
    status = selectors.status_seen_by(period=period, viewer_id=user.pk)
    if status == Status.ENDED and period.status != Status.ENDED:
        return "Over"  # the partner's late or unmarked return: no label
    return STATUS_WORDS.get(status, status)


def _followthrough(couple, user, now: dt.datetime) -> dict:
    counts = selectors.space_followthrough_for_member(couple=couple, viewer=user, weeks=FOLLOWTHROUGH_WEEKS, now=now)
    closed = counts["kept"] + counts["late"] + counts["missed"]
    return {**counts, "closed": closed, "weeks": FOLLOWTHROUGH_WEEKS}


# --- pages -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    user = request.user
    couple = couple_get_for_member(user=user)
    partner = couple_partner_of(couple=couple, user=user)
    now = timezone.now()
    tz = user.tzinfo
    current = [_period_row(p, user=user, now=now) for p in selectors.space_current_for_member(user=user)]
    mine = next((r for r in current if r["mine"]), None)
    form = TakeForm(
        request.POST if request.method == "POST" else None,
        choices=_quick_choices(now, tz),
        now=now,
        tz=tz,
        partner_name=partner.display_name if partner is not None else "",
    )
    if request.method == "POST" and mine is None and form.is_valid():
        try:
            period = services.space_take(
                couple=couple,
                user=user,
                reconnect_by=form.reconnect_by(),
                note=form.cleaned_data["note"],
                now=now,
            )
        except DomainError as exc:
            domain_error_to_form(form, exc, rename={"reconnect_by": "when"})
        else:
            row = _period_row(period, user=user, now=now)
            messages.success(
                request,
                gettext("%(name)s can see you're taking some space until %(time)s. Take the time you need.")
                % {"name": _cap(_name(partner)), "time": row["at"]},
            )
            return redirect("space")
    history = [
        _period_row(p, user=user, now=now)
        for p in selectors.space_for_member(user=user).exclude(status=Status.OPEN)[:5]
    ]
    return render(
        request,
        "space/index.html",
        {
            "current": current,
            "mine": mine,
            "theirs": next((r for r in current if not r["mine"]), None),
            "form": form,
            "note_max": NOTE_MAX,
            "partner_name": _name(partner),
            "followthrough": _followthrough(couple, user, now),
            "history": history,
            "tz_label": user.timezone.replace("_", " "),
        },
    )


@login_required
@require_POST
def reconnect(request, period_id: int):
    period = selectors.space_get_for_member(user=request.user, period_id=period_id)
    try:
        period = services.space_reconnect(period=period, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        partner = couple_partner_of(couple=period.couple, user=request.user)
        if period.status == Status.KEPT:
            messages.success(
                request,
                gettext("Welcome back, right when you said. %(name)s will see that you're back.")
                % {"name": _cap(_name(partner))},
            )
        else:
            messages.success(
                request, gettext("Welcome back. %(name)s will see that you're back.") % {"name": _cap(_name(partner))}
            )
    if period.kind == Kind.TIMEOUT:
        # Its own page says what comes after a time-out (repair/views.detail).
        return redirect(f"/timeout/{period.pk}/")
    return redirect("space")


@login_required
@require_http_methods(["GET", "POST"])
def extend(request, period_id: int):
    user = request.user
    period = selectors.space_get_for_member(user=user, period_id=period_id)
    now = timezone.now()
    if period.author_id != user.pk or not period.is_open:
        return redirect("space")
    if now >= period.reconnect_by:
        messages.info(
            request, gettext("The time you gave has come. Mark that you're back, and take new space if you need it.")
        )
        return redirect("space")
    tz = user.tzinfo
    form = WhenForm(
        request.POST if request.method == "POST" else None,
        # A time-out's choices stop at its rules' maximum from the start.
        choices=[
            c
            for c in _quick_choices(now, tz, base=period.reconnect_by)
            if period.latest_reconnect_by is None or c["at"] <= period.latest_reconnect_by
        ],
        now=now,
        tz=tz,
    )
    form.fields["when"].label = gettext("How much longer do you need?")
    if request.method == "POST" and form.is_valid():
        try:
            period = services.space_extend(period=period, user=user, reconnect_by=form.reconnect_by(), now=now)
        except DomainError as exc:
            if exc.status_code == 409:
                messages.error(request, exc.message)
                return redirect("space")
            domain_error_to_form(form, exc, rename={"reconnect_by": "when"})
        else:
            messages.success(
                request,
                gettext("Changed. You'll reconnect by %(time)s.") % {"time": clock(period.reconnect_by, tz, now)},
            )
            return redirect(f"/timeout/{period.pk}/" if period.kind == Kind.TIMEOUT else "/space/")
    couple = couple_get_for_member(user=user)
    return render(
        request,
        "space/extend.html",
        {
            "form": form,
            "row": _period_row(period, user=user, now=now),
            "partner_name": _name(couple_partner_of(couple=couple, user=user)),
            "tz_label": user.timezone.replace("_", " "),
        },
    )


# --- the home card ------------------------------------------------------------------------


def home_context(user, *, now: dt.datetime | None = None) -> dict:
    """Context for ``space/_home_card.html``: the viewer's own open period,
    the partner's (as a calm status with the time in the viewer's own
    timezone), and the partner's name. Empty for someone not paired."""
    couple = couple_for_user(user=user)
    if couple is None:
        return {"space_card": False}
    now = now or timezone.now()
    rows = [_period_row(p, user=user, now=now) for p in selectors.CURRENT_FOR_CARD.rows(user=user, couple=couple)]
    return {
        "space_card": True,
        "space_mine": next((r for r in rows if r["mine"]), None),
        "space_theirs": next((r for r in rows if not r["mine"]), None),
        "space_partner_name": _name(couple_partner_of(couple=couple, user=user)),
    }
