"""Check-in web pages: schedules, answering step by step, the reveal and
history. Server-rendered and usable without JavaScript.

Views only read through ``selectors`` (which 404 for anyone outside the
couple, and where ``checkin_answers_for`` alone decides when a partner's
answers may be shown) and only write through ``services``.
"""

import datetime as dt
import re
import zoneinfo
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import Conflict, DomainError
from backend.forms import domain_error_to_form
from backend.timezones import TimezoneInput, validate_timezone
from backend.weekdays import in_week_order, week_order
from couples.selectors import couple_for_user, couple_partner_of, member_couple_and_partners

from . import selectors, services
from .charts import Series, line_chart
from .formats import shown_step
from .models import CheckIn, Schedule, StepKind
from .occurrences import occurrences

MOODS = [
    (1, pgettext_lazy("mood", "Struggling")),
    (2, pgettext_lazy("mood", "Low")),
    (3, pgettext_lazy("mood", "Okay")),
    (4, pgettext_lazy("mood", "Good")),
    (5, pgettext_lazy("mood", "Great")),
]
MOOD_WORDS = dict(MOODS)
WEEKDAYS = [
    (0, pgettext_lazy("weekday, short", "Mon"), _("Monday")),
    (1, pgettext_lazy("weekday, short", "Tue"), _("Tuesday")),
    (2, pgettext_lazy("weekday, short", "Wed"), _("Wednesday")),
    (3, pgettext_lazy("weekday, short", "Thu"), _("Thursday")),
    (4, pgettext_lazy("weekday, short", "Fri"), _("Friday")),
    (5, pgettext_lazy("weekday, short", "Sat"), _("Saturday")),
    (6, pgettext_lazy("weekday, short", "Sun"), _("Sunday")),
]
# "on Mondays" as a schedule says it, by weekday.
WEEKDAYS_PLURAL = [
    _("Mondays"),
    _("Tuesdays"),
    _("Wednesdays"),
    _("Thursdays"),
    _("Fridays"),
    _("Saturdays"),
    _("Sundays"),
]
SKIP_REASON_MAX = 500
# Schedule proposals shown on the home card; the rest are on the schedules page.
HOME_PROPOSALS = 3
HISTORY_PAGE_SIZE = 10

MY_STATE_WORDS = {
    "not_started": _("Not started"),
    "draft": _("Started, not sent yet"),
    "submitted": _("Your answers are in"),
    "skipped": _("You set this one aside"),
}


# --- small helpers -------------------------------------------------------------


def _partner_name(partner) -> str:
    return partner.display_name if partner is not None and partner.display_name else gettext("your partner")


def _cap(text: str) -> str:
    # Not str.capitalize(), which would turn "McKenzie" into "Mckenzie".
    return text[:1].upper() + text[1:]


def _couple_and_partner(user):
    # One query for both; 404 for someone not paired, as couple_get_for_member.
    couple, partners = member_couple_and_partners(user=user)
    if couple is None:
        raise Http404("You are not paired.")
    return couple, next((p for p in partners if p.pk != user.pk), None)


def weekdays_text(weekdays: list[int]) -> str:
    days = sorted(set(weekdays))
    if days == list(range(7)):
        return pgettext("which days", "Every day")
    if days == list(range(5)):
        return gettext("Weekdays")
    if days == [5, 6]:
        return gettext("Weekends")
    # In the order this language's week runs (stored weekdays stay ISO).
    names = [str(WEEKDAYS_PLURAL[d]) for d in in_week_order(days)]
    if len(names) == 1:
        return names[0]
    # Translators: a list of days, "Mondays, Wednesdays and Fridays".
    return gettext("%(days)s and %(last)s") % {"days": gettext(", ").join(names[:-1]), "last": names[-1]}


def _next_occurrence(schedule: Schedule, now: dt.datetime) -> dt.datetime | None:
    tz = zoneinfo.ZoneInfo(schedule.timezone)
    for _day, instant in occurrences(
        weekdays=schedule.weekdays, time=schedule.time, tz=tz, start=now, end=now + dt.timedelta(days=8)
    ):
        return instant
    return None


def _schedule_row(schedule: Schedule, *, user, partner, now: dt.datetime) -> dict:
    name = _partner_name(partner)
    mine_proposed = schedule.proposed_by_id == user.pk
    status = schedule.status
    note = ""
    if status == Schedule.Status.PROPOSED:
        if schedule.proposed_by_id is None:
            words = gettext("Waiting to be accepted")
        elif mine_proposed:
            words = gettext("Waiting for %(name)s to accept") % {"name": name}
            note = gettext("Nothing is planned until %(name)s accepts it.") % {"name": name}
        else:
            words = gettext("%(name)s proposed this") % {"name": name}
            note = gettext("Accept it if it works for you, or suggest a change.")
    elif status == Schedule.Status.ACTIVE:
        words = gettext("Active")
    elif schedule.paused_by_id == user.pk:
        words = gettext("Paused by you")
        note = gettext("Resuming asks %(name)s to accept it again.") % {"name": name}
    elif schedule.paused_by_id is not None:
        words = gettext("Paused by %(name)s") % {"name": name}
        note = gettext("Resuming asks %(name)s to accept it again.") % {"name": name}
    else:
        words = gettext("Paused")
    return {
        "schedule": schedule,
        "status_words": words,
        "status_note": note,
        "days": weekdays_text(schedule.weekdays),
        "time": schedule.time.strftime("%H:%M"),
        "other_tz": schedule.timezone != user.timezone,
        "next_at": _next_occurrence(schedule, now) if status != Schedule.Status.PAUSED else None,
        "can_accept": status == Schedule.Status.PROPOSED and schedule.proposed_by_id is not None and not mine_proposed,
        "can_pause": status == Schedule.Status.ACTIVE,
        "can_resume": status == Schedule.Status.PAUSED,
    }


# --- schedules -------------------------------------------------------------------


class ScheduleForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Which check-in"),
        error_messages={"required": _("Choose a check-in."), "invalid_choice": _("Choose one of the check-ins shown.")},
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Which days"),
        choices=[(d, short) for d, short, _ in WEEKDAYS],
        coerce=int,
        error_messages={
            "required": _("Choose at least one day."),
            "invalid_choice": _("Choose days from the week shown."),
        },
        widget=forms.CheckboxSelectMultiple,
    )
    time = forms.TimeField(
        label=_("At what time"),
        error_messages={"required": _("Choose a time, like 20:00."), "invalid": _("Enter a time, like 20:00.")},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    # A searchable picker (a text input and the one cached datalist), not a
    # <select> of ~600 names rendered through widget templates on every
    # request; validated on the server against the IANA list all the same.
    timezone = forms.CharField(
        validators=[validate_timezone],
        label=_("In which timezone"),
        help_text=_("The time is kept in this timezone, also when the clocks change."),
        error_messages={
            "required": _("Choose a timezone."),
            "invalid_timezone": _("Choose a timezone from the list, for example Europe/Berlin."),
        },
        widget=TimezoneInput(attrs={"data-device-timezone": "1"}),
    )

    def __init__(self, *args, formats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.formats = list(formats)
        self.fields["format"].choices = [(f.key, f.shown_name) for f in self.formats]

    def format_options(self) -> list[dict]:
        chosen = str(self["format"].value() or "")
        return [{"format": f, "checked": f.key == chosen, "id": f"id_format_{i}"} for i, f in enumerate(self.formats)]

    def weekday_options(self) -> list[dict]:
        chosen = {str(v) for v in (self["weekdays"].value() or [])}
        # The week from this language's first day (backend.weekdays); the
        # values stay ISO weekdays (Monday = 0).
        return [
            {"value": d, "short": short, "long": long, "checked": str(d) in chosen, "id": f"id_weekdays_{d}"}
            for d, short, long in (WEEKDAYS[day] for day in week_order())
        ]

    def chosen_format(self):
        key = self.cleaned_data["format"]
        return next(f for f in self.formats if f.key == key)


def _schedule_form(request, couple, *, data=None, initial=None) -> ScheduleForm:
    return ScheduleForm(data, initial=initial, formats=selectors.formats_for_couple(couple=couple))


@login_required
@require_http_methods(["GET", "POST"])
def schedules(request):
    couple, partner = _couple_and_partner(request.user)
    initial = {"format": "daily-pulse", "time": dt.time(20, 0), "timezone": couple.timezone}
    form = _schedule_form(request, couple, data=request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.schedule_propose(
                couple=couple,
                user=request.user,
                format=form.chosen_format(),
                weekdays=data["weekdays"],
                time=data["time"],
                timezone_name=data["timezone"],
            )
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(
                request,
                gettext("Proposed. %(name)s will find it here to accept.") % {"name": _cap(_partner_name(partner))},
            )
            return redirect("checkins-schedules")
    now = timezone.now()
    rows = [
        _schedule_row(s, user=request.user, partner=partner, now=now)
        for s in selectors.schedules_for_member(user=request.user)
    ]
    return render(
        request,
        "checkins/schedules.html",
        {
            "rows": rows,
            "form": form,
            "partner": partner,
            "partner_name": _partner_name(partner),
            "open_form": request.method == "POST" or not rows,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, schedule_id: int):
    schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
    couple, partner = _couple_and_partner(request.user)
    initial = {
        "format": schedule.format.key,
        "weekdays": schedule.weekdays,
        "time": schedule.time,
        "timezone": schedule.timezone,
    }
    form = _schedule_form(request, couple, data=request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {}
        if form.chosen_format().pk != schedule.format_id:
            fields["format"] = form.chosen_format()
        if sorted(set(data["weekdays"])) != sorted(schedule.weekdays):
            fields["weekdays"] = data["weekdays"]
        if data["time"].replace(second=0, microsecond=0) != schedule.time:
            fields["time"] = data["time"]
        if data["timezone"] != schedule.timezone:
            fields["timezone"] = data["timezone"]
        if not fields:
            form.add_error(None, gettext("That's the same as now. Change something, or go back."))
        else:
            try:
                services.schedule_update(schedule=schedule, user=request.user, fields=fields)
            except DomainError as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(
                    request,
                    gettext("Changed. %(name)s can accept the new version.") % {"name": _cap(_partner_name(partner))},
                )
                return redirect("checkins-schedules")
    row = _schedule_row(schedule, user=request.user, partner=partner, now=timezone.now())
    return render(
        request,
        "checkins/schedule_edit.html",
        {"form": form, "row": row, "schedule": schedule, "partner_name": _partner_name(partner)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_delete(request, schedule_id: int):
    schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
    _couple, partner = _couple_and_partner(request.user)
    row = _schedule_row(schedule, user=request.user, partner=partner, now=timezone.now())
    if request.method == "POST":
        try:
            services.schedule_delete(schedule=schedule, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            # Declining the partner's proposal is deleting it: nothing was
            # planned yet, and either can propose another time.
            messages.success(
                request,
                gettext("Declined. Either of you can propose another time.")
                if row["can_accept"]
                else gettext("Deleted. Check-ins already answered stay in your history."),
            )
        return redirect("checkins-schedules")
    return render(request, "checkins/schedule_delete.html", {"row": row, "partner_name": _partner_name(partner)})


def _schedule_action(request, schedule_id: int, action, done: str):
    schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
    _couple, partner = _couple_and_partner(request.user)
    try:
        action(schedule, request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done) % {"name": _cap(_partner_name(partner))})
    # From the home card's proposal, back home; a fixed name, never a URL
    # from the form.
    return redirect("home" if request.POST.get("back") == "home" else "checkins-schedules")


@login_required
@require_POST
def schedule_accept(request, schedule_id: int):
    raw = request.POST.get("version", "")
    version = int(raw) if raw.isdigit() and len(raw) < 10 else None
    return _schedule_action(
        request,
        schedule_id,
        lambda s, u: services.schedule_accept(schedule=s, user=u, version=version),
        _("Accepted. It's on for both of you now."),
    )


@login_required
@require_POST
def schedule_pause(request, schedule_id: int):
    return _schedule_action(
        request,
        schedule_id,
        lambda s, u: services.schedule_pause(schedule=s, user=u),
        _("Paused. Nothing new is planned until one of you resumes it and the other accepts."),
    )


@login_required
@require_POST
def schedule_resume(request, schedule_id: int):
    return _schedule_action(
        request,
        schedule_id,
        lambda s, u: services.schedule_resume(schedule=s, user=u),
        _("Asked to resume. %(name)s can accept it to start again."),
    )


# --- check-ins: index and ad-hoc ---------------------------------------------------


def _state_of(checkin: CheckIn) -> str:
    return selectors.my_state_of(checkin)


@login_required
@require_http_methods(["GET"])
def checkins_index(request):
    couple, partner = _couple_and_partner(request.user)
    now = timezone.now()
    open_items = [
        {"checkin": c, "state": _state_of(c), "state_words": MY_STATE_WORDS[_state_of(c)]}
        for c in selectors.checkins_for_member(user=request.user, status="open", now=now, couple=couple)[:20]
    ]
    upcoming = list(selectors.checkins_for_member(user=request.user, status="upcoming", now=now, couple=couple)[:3])
    return render(
        request,
        "checkins/index.html",
        {
            "open_items": open_items,
            "upcoming": upcoming,
            "formats": selectors.formats_for_couple(couple=couple),
            "partner_name": _partner_name(partner),
            "now": now,
        },
    )


@login_required
@require_POST
def checkin_start(request):
    couple, _partner = _couple_and_partner(request.user)
    fmt = selectors.format_get_for_couple(couple=couple, key=request.POST.get("format", "")[:64])
    if fmt is None:
        messages.error(request, gettext("Choose one of the check-ins shown."))
        return redirect("checkins")
    checkin = services.checkin_start(couple=couple, user=request.user, format=fmt)
    return redirect("checkin", checkin_id=checkin.pk)


# --- answering, step by step -----------------------------------------------------


def _parse_value(step: dict, raw: str):
    kind = step["kind"]
    raw = raw.replace("\r\n", "\n")
    if kind == StepKind.MOOD:
        raw = raw.strip()
        # Numbers go to the service as numbers; anything else as it came,
        # so the one validation (services) explains what is wrong.
        return int(raw) if re.fullmatch(r"\d{1,3}", raw) else raw
    if kind == StepKind.AGREEMENTS:
        return {"reflection": raw.strip()} if raw.strip() else ""
    return raw


def _raw_of(step: dict, value) -> str:
    if value is None:
        return ""
    if step["kind"] == StepKind.AGREEMENTS and isinstance(value, dict):
        return str(value.get("reflection", ""))
    return str(value)


def _display(step: dict, value) -> dict:
    """An answer as people read it."""
    if value is None or value == "":
        return {"empty": True}
    if step["kind"] == StepKind.MOOD and isinstance(value, int):
        return {"mood": value, "text": MOOD_WORDS.get(value, str(value))}
    if step["kind"] == StepKind.AGREEMENTS and isinstance(value, dict):
        return {"text": str(value.get("reflection", "")) or "—"}
    return {"text": str(value)}


def _step_url(checkin: CheckIn, n: int, **extra) -> str:
    return reverse("checkin", args=[checkin.pk]) + "?" + urlencode({"step": n, **extra})


def _first_open_step(steps: list[dict], values: dict) -> int:
    for i, step in enumerate(steps, start=1):
        if step["key"] not in values:
            return i
    return len(steps)


def _step_context(checkin, steps, n, mine, *, raw=None, error="", partner=None) -> dict:
    step = shown_step(steps[n - 1])
    values = mine.values if mine is not None else {}
    current = raw if raw is not None else _raw_of(step, values.get(step["key"]))
    return {
        "step": step,
        "n": n,
        "total": len(steps),
        "is_first": n == 1,
        "is_last": n == len(steps),
        "progress": [{"n": i, "done": s["key"] in values, "current": i == n} for i, s in enumerate(steps, start=1)],
        "current": current,
        "error": error,
        "moods": [{"value": v, "word": w, "checked": current == str(v)} for v, w in MOODS],
        "options": [{"value": o, "checked": current == o, "i": i} for i, o in enumerate(step.get("options", []))],
        "text_max": services.TEXT_MAX,
        "editing": mine is not None and mine.submitted_at is not None,
        "kind": step["kind"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkin_detail(request, checkin_id: int):
    checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
    _couple, partner = _couple_and_partner(request.user)
    mine, theirs = selectors.checkin_answers_for(checkin=checkin, user=request.user)
    now = timezone.now()
    status = checkin.status_at(now)
    state = selectors.my_state(mine)
    steps = checkin.steps
    base = {
        "checkin": checkin,
        "partner": partner,
        "partner_name": _partner_name(partner),
        "status": status,
        "my_state": state,
        "steps": steps,
    }

    if request.method == "POST":
        if status != "open":
            return redirect("checkin", checkin_id=checkin.pk)
        return _answer_post(request, checkin, steps, mine, base)

    if status == "completed":
        base["rows"] = _reveal_rows(steps, mine, theirs)
        return render(request, "checkins/reveal.html", base)
    if status == "upcoming":
        return render(request, "checkins/not_open.html", base)
    if status == "closed":
        return render(request, "checkins/closed.html", base)

    raw_step = request.GET.get("step", "")
    asked = int(raw_step) if raw_step.isdigit() and len(raw_step) < 4 else None
    if state == "submitted" and asked is None:
        return render(request, "checkins/waiting.html", base)
    if state == "skipped" and asked is None:
        base["skip_reason"] = mine.skip_reason
        return render(request, "checkins/skipped.html", base)
    values = mine.values if mine is not None else {}
    n = asked if asked is not None else _first_open_step(steps, values)
    n = min(max(n, 1), len(steps))
    return render(request, "checkins/step.html", {**base, **_step_context(checkin, steps, n, mine)})


def _answer_post(request, checkin, steps, mine, base):
    raw_step = request.POST.get("step", "")
    if not raw_step.isdigit() or not 1 <= int(raw_step) <= len(steps):
        return redirect("checkin", checkin_id=checkin.pk)
    n = int(raw_step)
    step = steps[n - 1]
    go = request.POST.get("go", "next")
    raw = request.POST.get("value", "")
    values = dict(mine.values) if mine is not None else {}
    values[step["key"]] = _parse_value(step, raw)
    already = mine is not None and mine.submitted_at is not None
    is_last = n == len(steps)
    submit = already or (is_last and go != "back")
    try:
        services.checkin_answer(checkin=checkin, author=request.user, values=values, submit=submit)
    except Conflict as exc:
        messages.info(request, exc.message)
        return redirect("checkin", checkin_id=checkin.pk)
    except DomainError as exc:
        errors = (exc.errors or {}).get("answers", {}) if isinstance(exc.errors, dict) else {}
        if step["key"] in errors:
            ctx = _step_context(checkin, steps, n, mine, raw=raw.replace("\r\n", "\n"), error=errors[step["key"]][0])
            return render(request, "checkins/step.html", {**base, **ctx})
        missing = [i for i, s in enumerate(steps, start=1) if s["key"] in errors]
        if missing and not already:
            # Sending with an earlier step still empty: keep this step's
            # answer as a draft and go to the first step that needs one.
            try:
                services.checkin_answer(checkin=checkin, author=request.user, values=values, submit=False)
            except Conflict as exc2:
                messages.info(request, exc2.message)
                return redirect("checkin", checkin_id=checkin.pk)
            messages.info(request, gettext("Step %(n)d still needs an answer before you send.") % {"n": missing[0]})
            return redirect(_step_url(checkin, missing[0]))
        ctx = _step_context(
            checkin, steps, n, mine, raw=raw, error=exc.message or gettext("Please look at this again.")
        )
        return render(request, "checkins/step.html", {**base, **ctx})

    if go == "back":
        return redirect(_step_url(checkin, max(n - 1, 1)))
    if not is_last:
        return redirect(_step_url(checkin, n + 1))
    if already:
        messages.success(request, gettext("Your changes are saved."))
    return redirect("checkin", checkin_id=checkin.pk)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_skip(request, checkin_id: int):
    checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
    _couple, partner = _couple_and_partner(request.user)
    mine, _theirs = selectors.checkin_answers_for(checkin=checkin, user=request.user)
    form = SkipForm(request.POST or None)
    if checkin.status_at(timezone.now()) != "open" or selectors.my_state(mine) == "submitted":
        return redirect("checkin", checkin_id=checkin.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_skip(checkin=checkin, author=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            return redirect("checkin", checkin_id=checkin.pk)
    return render(
        request,
        "checkins/skip.html",
        {"checkin": checkin, "form": form, "partner_name": _partner_name(partner)},
    )


class SkipForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=SKIP_REASON_MAX,
        label=_("Why, if you'd like to note it"),
        help_text=_("Only you will see this."),
        error_messages={"max_length": _("Keep it under %(limit_value)d characters.")},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SKIP_REASON_MAX}),
    )


# --- reveal and history --------------------------------------------------------------


def _reveal_rows(steps, mine, theirs) -> list[dict]:
    mine_values = mine.values if mine is not None else {}
    their_values = theirs.values if theirs is not None else {}
    return [
        {
            "step": shown_step(s),
            "mine": _display(s, mine_values.get(s["key"])),
            "theirs": _display(s, their_values.get(s["key"])),
        }
        for s in steps
    ]


def my_answer_rows(steps, values: dict) -> list[dict]:
    """One person's own answers, step by step, as people read them (the
    history of an ended couple shows only what the reader wrote)."""
    return [{"step": shown_step(s), "mine": _display(s, values.get(s["key"]))} for s in steps]


def consistency_sentence(block: dict, weeks: int) -> str:
    done, total = block["completed"], block["scheduled"]
    if not total:
        return ""
    return ngettext(
        "You two completed %(done)d of %(total)d check-in in the last %(weeks)d weeks.",
        "You two completed %(done)d of %(total)d check-ins in the last %(weeks)d weeks.",
        total,
    ) % {"done": done, "total": total, "weeks": weeks}


def mood_charts(*, couple, viewer, tz, weeks: int = 12) -> list:
    """The viewer's own mood chart: never the partner's (no scorekeeping
    between partners; ``selectors.mood_series_for_member``)."""
    charts = []
    for s in selectors.mood_series_for_member(user=viewer, couple=couple, weeks=weeks):
        charts.append(
            {
                "own": True,
                "html": line_chart(
                    [Series(gettext("You"), [(p["at"], p["mood"]) for p in s["points"]])],
                    title=ngettext("Your mood, last week", "Your mood, last %(n)d weeks", weeks) % {"n": weeks},
                    y_min=1,
                    y_max=5,
                    y_ticks=[1, 3, 5],
                    y_labels=MOOD_WORDS,
                    tz=tz,
                    y_name=gettext("Mood"),
                    css_class="chart",
                ),
            }
        )
    return charts


@login_required
@require_http_methods(["GET"])
def history(request):
    couple, partner = _couple_and_partner(request.user)
    paginator = Paginator(
        selectors.checkins_for_member(user=request.user, status="completed", couple=couple, with_steps=True),
        HISTORY_PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    checkins = list(page.object_list)
    answers = selectors.checkin_answers_for_page(checkins=checkins, user=request.user)
    items = [{"checkin": c, "rows": _reveal_rows(c.steps, *answers[c.pk])} for c in checkins]
    consistency = selectors.consistency_for_couple(couple=couple)
    return render(
        request,
        "checkins/history.html",
        {
            "page": page,
            "items": items,
            "partner_name": _partner_name(partner),
            "weeks_4": consistency_sentence(consistency["weeks_4"], 4),
            "weeks_12": consistency_sentence(consistency["weeks_12"], 12),
            "extra_12": consistency["extra_completed_12_weeks"],
            "charts": mood_charts(couple=couple, viewer=request.user, tz=request.user.tzinfo),
        },
    )


# --- the couple home page's card ----------------------------------------------------------


def home_context(user, *, now: dt.datetime | None = None) -> dict:
    """Context for ``checkins/_home_card.html``: the next check-in, the ones
    open for the viewer now (not those they chose to set aside), and the
    partner's name. Empty for someone who is not paired. Two queries after
    the couple's (the check-ins, whether there is a schedule), whatever
    their number."""
    couple = couple_for_user(user=user)
    if couple is None:
        return {"checkins_card": False}
    now = now or timezone.now()
    partner = couple_partner_of(couple=couple, user=user)
    open_now, next_one = selectors.checkins_open_and_next_for_member(user=user, couple=couple, now=now, limit=10)
    open_items = []
    for c in open_now:
        state = _state_of(c)
        if state != "skipped":
            open_items.append({"checkin": c, "state": state, "state_words": MY_STATE_WORDS[state]})
    # One query for the schedules the card speaks of: proposals first (the
    # partner's wait for the viewer's answer, as agreements' do), and
    # whether there is any schedule at all. Asked even when the card will
    # not say it: a query count that does not depend on what the couple
    # has is one the tests can pin.
    schedules = selectors.SCHEDULES_FOR_CARD.rows(couple=couple, limit=HOME_PROPOSALS + 1)
    proposals = [
        _schedule_row(s, user=user, partner=partner, now=now)
        for s in schedules
        if s.status == Schedule.Status.PROPOSED and s.proposed_by_id is not None and s.proposed_by_id != user.pk
    ]
    return {
        "checkins_card": True,
        "checkins_next": next_one,
        "checkins_open": open_items[:5],
        "checkins_partner_name": _partner_name(partner),
        "checkins_has_schedule": bool(schedules),
        "checkins_proposals": proposals[:HOME_PROPOSALS],
        "checkins_proposals_more": len(proposals) > HOME_PROPOSALS,
        "checkins_mine_waiting": any(
            s.status == Schedule.Status.PROPOSED and s.proposed_by_id == user.pk for s in schedules
        ),
        "checkins_now": now,
    }


@login_required
def checkin_live(request, checkin_id: int):
    """The live session page. The server renders the frame and the first
    snapshot; static/js/live.js keeps it current over the socket and
    catches up from the API after any reconnect."""
    from django.urls import NoReverseMatch, reverse

    from . import breaks
    from .api import LiveSnapshotOutput

    checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
    _couple, partner = _couple_and_partner(request.user)
    snapshot = LiveSnapshotOutput(selectors.live_snapshot(checkin=checkin, user=request.user)).data
    # What "Need a break?" offers: with time-out rules in force, a time-out
    # within them (checkins.breaks); otherwise the plain 20 to 60 minutes.
    bounds = breaks.bounds(couple_id=checkin.couple_id, user_id=request.user.pk)
    try:
        note_url = reverse("gratitude-write")
    except NoReverseMatch:
        note_url = ""
    config = {
        "checkin": checkin.pk,
        "me": request.user.pk,
        "partner": partner.pk if partner else None,
        "partnerName": _partner_name(partner),
        "timezone": request.user.timezone,
        "moods": [{"value": v, "word": w} for v, w in MOODS],
        "snapshotUrl": f"/api/v1/checkins/{checkin.pk}/session/",
        "socketPath": f"/ws/checkins/{checkin.pk}/",
        "noteUrl": note_url,
        "detailUrl": reverse("checkin", args=[checkin.pk]),
        "snapshot": snapshot,
        "breakTimeout": bounds.timeout,
        "breakMinutes": break_choices(bounds),
    }
    return render(
        request,
        "checkins/live.html",
        {
            "checkin": checkin,
            "partner_name": _partner_name(partner),
            "config": config,
        },
    )


def break_choices(bounds) -> list[int]:
    """A few lengths of break to offer, inside ``bounds``: its minimum, then
    common lengths up to two hours, and its maximum if that is shorter."""
    common = [bounds.min_minutes, *(m for m in (30, 45, 60, 90, 120) if bounds.min_minutes < m <= bounds.max_minutes)]
    if bounds.max_minutes < 120 and bounds.max_minutes not in common:
        common.append(bounds.max_minutes)
    return common[:5]
