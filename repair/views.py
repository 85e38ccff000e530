"""Time-outs on the web: the rules page (propose, amend, accept, decline,
retire; each partner writes only their own "during" text), taking a
time-out within the rules, and the waiting / return page. Server-rendered,
usable without JavaScript, reusing taking space's templates and styles.

There is no view for the partner who stays to nudge or ask "are you
back?": the return time replaces the need to chase (tests assert it)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backend.errors import DomainError
from backend.forms import domain_error_to_form
from backend.prepared import PreparedRows
from couples.models import Couple
from couples.selectors import couple_for_user, couple_get_for_member, couple_partner_of
from space.models import Kind, SpacePeriod, Status
from space.selectors import space_current_for_member
from space.views import WhenForm, clock, period_row

from . import selectors, services
from .models import DEFAULT_MIN_MINUTES, DURING_MAX, MAX_MINUTES_CEILING, MIN_MINUTES_FLOOR, SIGNAL_MAX, TimeoutRules


def _name(user) -> str:
    return user.display_name if user is not None and user.display_name else gettext("your partner")


def _minutes_words(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if minutes > 60:
        return gettext("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}
    return gettext("%(n)d min") % {"n": minutes}


def _terms_row(version, *, user, partner) -> dict:
    texts = {d.author_id: d.text for d in version.during.all()}
    return {
        "v": version,
        "min_words": _minutes_words(version.min_minutes),
        "max_words": _minutes_words(version.max_minutes),
        "my_during": texts.get(user.pk, ""),
        "partner_during": texts.get(partner.pk, "") if partner is not None else "",
    }


# --- the rules -----------------------------------------------------------------------------


class RulesForm(forms.Form):
    signal = forms.CharField(
        label=_("Our signal"),
        max_length=SIGNAL_MAX,
        help_text=_("A phrase either of you can say to call a time-out, like “I need a pause”."),
    )
    min_minutes = forms.IntegerField(
        label=_("Shortest break (minutes)"),
        min_value=MIN_MINUTES_FLOOR,
        max_value=MAX_MINUTES_CEILING,
        initial=DEFAULT_MIN_MINUTES,
        help_text=_("At least 20: about how long a racing body takes to settle."),
    )
    max_minutes = forms.IntegerField(
        label=_("Longest break (minutes)"),
        min_value=MIN_MINUTES_FLOOR,
        max_value=MAX_MINUTES_CEILING,
        initial=120,
        help_text=_("At most 1440 (24 hours)."),
    )
    during = forms.CharField(
        label=_("What I'll do during a time-out"),
        required=False,
        max_length=DURING_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "data-count": DURING_MAX}),
        help_text=_("Only you write this. Your partner writes their own."),
    )


def _rules_action(request, rules: TimeoutRules | None, form: RulesForm):
    """One POST on the rules page: ``action`` names the service."""
    user, action = request.user, request.POST.get("action", "")
    version = request.POST.get("version", "")
    version = int(version) if version.isdigit() else 0
    if action == "propose":
        if form.is_valid():
            services.timeout_rules_propose(couple=couple_get_for_member(user=user), user=user, **form.cleaned_data)
            return gettext("Proposed. The rules count once your partner accepts the same version.")
        return None
    if rules is None:
        raise Http404
    if action == "amend":
        if form.is_valid():
            services.timeout_rules_amend(rules=rules, user=user, version=version, changes=form.cleaned_data)
            return gettext("Proposed. Until your partner accepts it, the rules you agreed before still hold.")
        return None
    if action == "accept":
        services.timeout_rules_accept(rules=rules, user=user, version=version)
        return gettext("Agreed. Either of you can now take a time-out within these rules.")
    if action == "decline":
        services.timeout_rules_decline(rules=rules, user=user, version=version, reason=request.POST.get("reason", ""))
        return gettext("Declined.")
    if action == "retire":
        services.timeout_rules_retire(rules=rules, user=user, reason=request.POST.get("reason", ""))
        return gettext("Retired. You can agree new rules any time.")
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    user = request.user
    couple = couple_get_for_member(user=user)
    partner = couple_partner_of(couple=couple, user=user)
    current = selectors.timeout_rules_current_for_member(user=user)
    shown = selectors.rules_version(current, current.version) if current else None
    active = selectors.rules_version(current, current.active_version) if current and current.in_force else None
    initial = {}
    if shown is not None:
        initial = {
            "signal": shown.signal,
            "min_minutes": shown.min_minutes,
            "max_minutes": shown.max_minutes,
            "during": _terms_row(shown, user=user, partner=partner)["my_during"],
        }
    posted = request.method == "POST" and request.POST.get("action") in ("propose", "amend")
    form = RulesForm(request.POST if posted else None, initial=initial)
    if request.method == "POST":
        try:
            done = _rules_action(request, current, form)
        except DomainError as exc:
            if posted:
                domain_error_to_form(form, exc)
            else:
                messages.error(request, exc.message)
                return redirect("timeout-rules")
        else:
            if done:
                messages.success(request, done)
                return redirect("timeout-rules")
    pending = current is not None and current.status == TimeoutRules.Status.PROPOSED
    return render(
        request,
        "repair/rules.html",
        {
            "rules": current,
            "shown": _terms_row(shown, user=user, partner=partner) if shown else None,
            "active": _terms_row(active, user=user, partner=partner) if active else None,
            "pending": pending,
            "can_accept": pending and shown.proposed_by_id not in (None, user.pk),
            "form": form,
            "form_open": posted or current is None,
            "partner_name": _name(partner),
        },
    )


# --- taking a time-out ----------------------------------------------------------------------


def _choices(terms, now: dt.datetime, tz) -> list[dict]:
    """Quick return times inside the rules: the shortest, a few between,
    and the longest."""
    minutes = sorted({terms.min_minutes, *(m for m in (30, 60, 120) if terms.min_minutes < m < terms.max_minutes)})
    minutes = [*minutes[:3], terms.max_minutes] if terms.max_minutes not in minutes else minutes
    rows = []
    for m in minutes:
        at = now + dt.timedelta(minutes=m)
        rows.append({"key": f"{m}m", "label": _minutes_words(m), "at": at, "at_words": clock(at, tz, now)})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    user = request.user
    couple = couple_get_for_member(user=user)
    partner = couple_partner_of(couple=couple, user=user)
    now = timezone.now()
    tz = user.tzinfo
    current = list(space_current_for_member(user=user))
    mine = next((p for p in current if p.author_id == user.pk), None)
    if mine is not None and mine.kind == Kind.TIMEOUT:
        return redirect("timeout-detail", mine.pk)
    theirs = next((p for p in current if p.author_id != user.pk), None)
    terms = services.timeout_rules_in_force(couple=couple)
    form = None
    if terms is not None:
        form = WhenForm(
            request.POST if request.method == "POST" else None, choices=_choices(terms, now, tz), now=now, tz=tz
        )
        form.fields["when"].label = gettext("When will you come back?")
        if request.method == "POST" and mine is None and form.is_valid():
            try:
                period = services.timeout_take(couple=couple, user=user, reconnect_by=form.reconnect_by(), now=now)
            except DomainError as exc:
                if exc.status_code == 409:
                    messages.error(request, exc.message)
                    return redirect("timeout")
                form.add_error("when", exc.message)
            else:
                return redirect("timeout-detail", period.pk)
    elif request.method == "POST":
        return redirect("timeout-rules")
    return render(
        request,
        "repair/index.html",
        {
            "terms": _terms_row(terms, user=user, partner=partner) if terms else None,
            "form": form,
            "mine": period_row(mine, user=user, now=now) if mine else None,
            "theirs": period_row(theirs, user=user, now=now) if theirs else None,
            "partner_name": _name(partner),
            "tz_label": user.timezone.replace("_", " "),
        },
    )


@login_required
def detail(request, period_id: int):
    """The waiting page (the one who left: the return time, their own
    "during" text, come back or move it later), the partner's calm status
    (nothing to press), and, once back, a plain confirmation."""
    user = request.user
    period = selectors.timeout_get_for_member(user=user, period_id=period_id)
    couple = couple_get_for_member(user=user)
    partner = couple_partner_of(couple=couple, user=user)
    now = timezone.now()
    terms = services.timeout_rules_in_force(couple=couple)
    row = period_row(period, user=user, now=now)
    my_during = ""
    if terms is not None and row["mine"]:
        my_during = _terms_row(terms, user=user, partner=partner)["my_during"]
    return render(
        request,
        "repair/detail.html",
        {
            "row": row,
            "back": period.status in (Status.KEPT, Status.LATE),
            "my_during": my_during,
            "partner_name": _name(partner),
            "back_at": clock(period.reconnected_at, user.tzinfo, now) if period.reconnected_at else "",
        },
    )


# --- the home card -------------------------------------------------------------------------


def _timeout_card(*, user, couple: Couple):
    mine = SpacePeriod.objects.filter(couple=couple, author=user, status=Status.OPEN)
    return (
        Couple.objects.filter(pk=couple.pk)
        .annotate(
            rules_active=Exists(
                TimeoutRules.objects.filter(couple=couple, active_version__isnull=False).exclude(
                    status=TimeoutRules.Status.RETIRED
                )
            ),
            open_id=Subquery(mine.values("pk")[:1]),
            open_kind=Subquery(mine.values("kind")[:1]),
        )
        .values("rules_active", "open_id", "open_kind")
    )


# The card's one row, prepared (backend.prepared).
TIMEOUT_CARD = PreparedRows(_timeout_card, objects={"user": None, "couple": Couple})


def home_context(user, *, now: dt.datetime | None = None) -> dict:
    """Context for ``repair/_home_card.html``: one tap to a time-out when
    rules are in force, a link to agree them otherwise. One query."""
    couple = couple_for_user(user=user)
    if couple is None:
        return {"timeout_card": False}
    row = TIMEOUT_CARD.first(user=user, couple=couple)
    return {
        "timeout_card": True,
        "timeout_rules_active": row["rules_active"],
        "timeout_mine_id": row["open_id"] if row["open_kind"] == Kind.TIMEOUT else None,
        "timeout_busy": row["open_id"] is not None,
    }
