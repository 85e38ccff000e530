"""The repair conversation on the web: ``/repair/`` (start one, past ones)
and ``/repair/{id}/`` (revealed steps side by side, the open step's form, a
break, a stop). Server-rendered, usable without JavaScript, phone first.
Every write goes through ``repair.conversation``; what is shown of a step
comes from ``conversation_selectors.repair_steps_for`` only."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backend import dates
from backend.errors import DomainError
from backend.localtime import local_to_utc
from couples.selectors import couple_get_for_member, couple_partner_of
from journal.models import Category, Entry

from . import conversation
from . import conversation_selectors as selectors
from .models import COMMITMENT_MAX, REPAIR_TEXT_MAX
from .services import timeout_rules_in_force
from .trend import repair_trend, trend_chart

STATUS_WORDS = {
    "completed": _("You finished this conversation together."),
    "stopped": _("This conversation was stopped. What was revealed stays; nothing else was shown."),
    "expired": _("This conversation closed after a week. You can start a new one whenever you're both ready."),
    "ended": _("This conversation closed."),
}


def _when(instant: dt.datetime | None, tz) -> str:
    """'Tue 8 Mar, 20:00' on the viewer's own clock (templates would show UTC)."""
    if instant is None:
        return ""
    local = instant.astimezone(tz)
    return dates.when(local, "weekday_day_month_time_short")


def _name(user) -> str:
    return user.display_name if user is not None and user.display_name else gettext("your partner")


@login_required
@require_http_methods(["GET", "POST"])
def repair_index(request):
    user = request.user
    couple = couple_get_for_member(user=user)
    if request.method == "POST":
        raw = request.POST.get("timeout", "")
        try:
            repair = conversation.repair_start(couple=couple, user=user, timeout=int(raw) if raw.isdigit() else None)
        except DomainError as exc:
            messages.error(request, exc.message)
            if exc.errors and exc.errors.get("repair"):
                return redirect("repair-detail", exc.errors["repair"])
            return redirect("repair")
        return redirect("repair-detail", repair.pk)
    now = timezone.now()
    rows = [
        {"repair": r, "status": selectors.repair_status_at(r, now), "started": _when(r.created_at, user.tzinfo)}
        for r in selectors.repairs_for_member(user=user)[:30]
    ]
    current = next((row["repair"] for row in rows if row["status"] == "open"), None)
    trend = repair_trend(couple=couple, now=now)
    return render(
        request,
        "repair/conversation_index.html",
        {
            "rows": rows,
            "trend_chart": trend_chart(trend, title=gettext("How soon we came back together")),
            "current": current,
            "partner_name": _name(couple_partner_of(couple=couple, user=user)),
            "timeout": request.GET.get("timeout", "") if request.GET.get("timeout", "").isdigit() else "",
        },
    )


def _due_from_post(post, tz) -> dt.datetime | None:
    day, time = post.get("due_date", ""), post.get("due_time", "") or "20:00"
    if not day:
        return None
    try:
        return local_to_utc(day=dt.date.fromisoformat(day), time=dt.time.fromisoformat(time), tz=tz)
    except ValueError:
        raise DomainError(gettext("Choose a date and a time."), field="due") from None


def _answer(request, repair_id: int, step: dict) -> str:
    """One answer or draft from the step's form; the message to show."""
    post, user = request.POST, request.user
    submit = post.get("action") != "draft"
    if step["kind"] == "commitment":
        text, due = post.get("text", ""), _due_from_post(post, user.tzinfo)
    else:
        text, due = post.get("value", ""), None
    raw_entry = post.get("trigger_entry", "")
    conversation.repair_answer(
        repair_id=repair_id,
        user=user,
        step=step["key"],
        text=text,
        due=due,
        trigger_entry=int(raw_entry) if raw_entry.isdigit() else None,
        submit=submit,
    )
    return gettext("Saved as a draft. It's only yours until you send it.") if not submit else ""


@login_required
@require_http_methods(["GET", "POST"])
def repair_detail(request, repair_id: int):
    user = request.user
    repair = selectors.repair_get_for_member(user=user, repair_id=repair_id)
    error, field_error = "", ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "stop":
                conversation.repair_stop(repair_id=repair.pk, user=user)
                messages.success(request, gettext("Stopped. You can start again whenever you're both ready."))
                return redirect("repair-detail", repair.pk)
            if action in ("send", "draft"):
                step = conversation.step_by_key(request.POST.get("step", ""))
                done = _answer(request, repair.pk, step)
                if done:
                    messages.success(request, done)
                return redirect("repair-detail", repair.pk)
        except DomainError as exc:
            if exc.status_code == 409:
                messages.error(request, exc.message)
                return redirect("repair-detail", repair.pk)
            error, field_error = exc.message, exc.field or ""
            repair = selectors.repair_get_for_member(user=user, repair_id=repair_id)
    now = timezone.now()
    couple = couple_get_for_member(user=user)
    partner = couple_partner_of(couple=couple, user=user)
    steps = selectors.repair_steps_for(repair=repair, user=user, now=now)
    tz = user.tzinfo
    for s in steps:
        s["mine_due"] = _when(s["mine"]["due"], tz) if s["mine"] else ""
        s["partner_due"] = _when(s["partner"]["due"], tz) if s["partner"] else ""
    current = next((s for s in steps if s["state"] in ("open", "waiting")), None)
    status = selectors.repair_status_at(repair, now)
    due_prefill = (
        current["mine"]["due"].astimezone(tz) if current and current["mine"] and current["mine"]["due"] else None
    )
    context = {
        "repair": repair,
        "status": status,
        "status_words": STATUS_WORDS.get(status, ""),
        "steps": steps,
        "revealed": [s for s in steps if s["state"] == "revealed"],
        "current": current,
        "n": steps.index(current) + 1 if current else None,
        "total": len(steps),
        "partner_name": _name(partner),
        "error": error,
        "field_error": field_error,
        "posted": request.POST if error else {},
        "text_max": REPAIR_TEXT_MAX,
        "commitment_max": COMMITMENT_MAX,
        "rules_in_force": status == "open" and timeout_rules_in_force(couple=couple) is not None,
        "expires_on": _when(repair.expires_at, tz),
        "due_date": due_prefill.date().isoformat() if due_prefill else "",
        "due_time": due_prefill.strftime("%H:%M") if due_prefill else "20:00",
        "min_due": (now.astimezone(tz) + dt.timedelta(days=1)).date().isoformat(),
    }
    if current is not None and current["trigger"]:
        # The author's own trigger-log entries, by date and category only
        # (the text is sealed, and this list is only ever shown to them).
        labels = dict(Category.choices)
        context["triggers"] = [
            {
                "id": e.pk,
                "label": f"{dates.when(e.created_at.astimezone(tz), 'weekday_day_month_short')} · {labels.get(e.trigger_category, '')}",
            }
            for e in Entry.objects.filter(author=user, kind="trigger").only("id", "created_at", "trigger_category")[:20]
        ]
    commitments = []
    if status == "completed":
        for s in steps:
            if s["kind"] == "commitment":
                commitments = [
                    ("You", s["mine"]),
                    (_name(partner), s["partner"]),
                ]
    context["commitments"] = [
        {"who": who, "text": a["text"], "due": _when(a["due"], tz)} for who, a in commitments if a
    ]
    return render(request, "repair/conversation.html", context)
