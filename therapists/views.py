"""Therapist access pages.

Partners: share with a therapist (enter the code, choose what and until
when), approve or stop what the other asked, and read the access log.
Therapists: sign up, set up two-factor authentication, make connect codes,
see the couples that share and each one's summary (charts drawn on the
server, printable).

Reads go through ``selectors`` (404 for anyone outside the couple, and the
therapist's grant read from the database on every request); writes through
``services``. Every page a therapist sees with couple data writes one
access event.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import wraps

from allauth.account.views import SignupView
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from backend import dates
from backend.client_ip import client_ip
from backend.errors import DomainError
from backend.forms import domain_error_to_form
from checkins.charts import Series, line_chart
from checkins.occurrences import local_to_utc
from couples.selectors import couple_for_user, couple_partner_of

from . import selectors, services
from .access import has_totp
from .charts import Bar, bar_chart
from .display import SCOPE_HELP, SCOPE_TITLES, event_sentence, join_words
from .models import SCOPE_ORDER, Grant, Practice, Scope

MOOD_WORDS = {1: "Struggling", 2: "Low", 3: "Okay", 4: "Good", 5: "Great"}
LOG_PAGE_SIZE = 20


# --- partners ------------------------------------------------------------------------------------------


class GrantRequestForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        label=_("Your therapist's code"),
        help_text=_("8 letters and numbers, from your therapist. Dashes, spaces and small letters are fine."),
        error_messages={"required": _("Type the code your therapist gave you.")},
        widget=forms.TextInput(
            attrs={
                "class": "code-input",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
            }
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What to share"),
        help_text=_("Only numbers and patterns. Your therapist never sees what either of you wrote."),
        choices=[(s, SCOPE_TITLES[s]) for s in SCOPE_ORDER],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing to share.")},
    )
    until = forms.DateField(
        label=_("Share until"),
        help_text=_("Up to 180 days. You can stop sooner, at any time."),
        error_messages={"required": _("Choose until when to share."), "invalid": _("Enter a date, like 2026-06-30.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, tz, now, **kwargs):
        super().__init__(*args, **kwargs)
        today = now.astimezone(tz).date()
        self.tz = tz
        self.min_date = today + dt.timedelta(days=1)
        # The day whose end is still within 180 days from now.
        self.max_date = (now + dt.timedelta(days=services.GRANT_MAX_DAYS)).astimezone(tz).date() - dt.timedelta(days=1)
        self.fields["until"].widget.attrs.update(min=self.min_date.isoformat(), max=self.max_date.isoformat())
        self.fields["until"].initial = today + dt.timedelta(days=90)

    def clean_until(self):
        day = self.cleaned_data["until"]
        if day < self.min_date:
            raise forms.ValidationError(gettext("Choose a day from tomorrow on."))
        if day > self.max_date:
            raise forms.ValidationError(
                gettext("Choose a day up to %(day)s (180 days).") % {"day": date_format(self.max_date, "DATE_FORMAT")}
            )
        return day

    def expires_at(self) -> dt.datetime:
        # "Until 30 June" means to the end of that day, where the partner is.
        return local_to_utc(self.cleaned_data["until"] + dt.timedelta(days=1), dt.time(0), self.tz)


class GrantChangeForm(GrantRequestForm):
    """Asking to change what is shared with a therapist: no code (the
    therapist is already connected), the same choices."""

    def __init__(self, *args, grant: Grant, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]
        self.fields["scopes"].initial = [s for s in SCOPE_ORDER if s in grant.scopes]
        self.fields["scopes"].label = gettext("What to share from now on")
        self.fields["until"].initial = (grant.expires_at - dt.timedelta(microseconds=1)).astimezone(self.tz).date()


def _grant_row(grant: Grant, *, user, now: dt.datetime, changing: set[int] = frozenset()) -> dict:
    status = grant.status_at(now)
    mine = grant.requested_by_id == user.pk
    return {
        "grant": grant,
        "status": status,
        "scopes": [(SCOPE_TITLES[s], SCOPE_HELP[s]) for s in SCOPE_ORDER if s in grant.scopes],
        "scope_values": [s for s in SCOPE_ORDER if s in grant.scopes],
        "asked_by_me": mine,
        "can_approve": status == "pending" and not mine,
        "can_revoke": status in ("pending", "active"),
        # A change waits for approval already: one at a time.
        "can_change": status == "active" and grant.pk not in changing,
        # The last day shared, in the viewer's timezone.
        "last_day": (grant.expires_at - dt.timedelta(microseconds=1)).astimezone(user.tzinfo),
    }


@login_required
@require_http_methods(["GET", "POST"])
def access(request):
    user = request.user
    if user.is_therapist:
        return redirect("therapist-home")
    couple = couple_for_user(user=user)
    if couple is None:
        return redirect("home")
    now = timezone.now()
    form = GrantRequestForm(request.POST or None, tz=user.tzinfo, now=now)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_request(
                couple=couple,
                user=user,
                code=form.cleaned_data["code"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            partner = couple_partner_of(couple=couple, user=user)
            name = partner.display_name if partner else gettext("your partner")
            messages.success(
                request,
                gettext("Asked. Nothing is shared until %(name)s approves the same request.") % {"name": name},
            )
            return redirect(f"{reverse('therapist-access')}#grant-{grant.pk}")
    grants = list(selectors.grants_for_member(user=user))
    changing = {g.replaces_id for g in grants if g.replaces_id and g.status_at(now) == "pending"}
    rows = [_grant_row(g, user=user, now=now, changing=changing) for g in grants]
    for row in rows:
        if row["can_change"]:
            row["change_form"] = GrantChangeForm(
                tz=user.tzinfo, now=now, grant=row["grant"], prefix=f"g{row['grant'].pk}"
            )
    partner = couple_partner_of(couple=couple, user=user)
    notes = selectors.presession_notes_for_member(user=user, couple=couple)
    active = {r["grant"].therapist_id for r in rows if r["status"] == "active"}
    sessions = selectors.next_sessions_for(couple_id=couple.pk, therapist_ids=active, now=now)
    for row in rows:
        row["notes"] = [n for n in notes if n.therapist_id == row["grant"].therapist_id]
        if row["status"] == "active":
            row["next_sessions"] = sessions.get(row["grant"].therapist_id, [])
    context = {
        "form": form,
        # Each choice with what the therapist would see under it.
        "scope_options": [(option, SCOPE_HELP[option.data["value"]]) for option in form["scopes"]],
        "partner": partner,
        "waiting": [r for r in rows if r["can_approve"]],
        # A request not yet approved by everyone shares nothing: it is never
        # listed under "Shared now".
        "asked": [r for r in rows if r["status"] == "pending" and not r["can_approve"]],
        "current": [r for r in rows if r["status"] == "active" and not r["can_approve"]],
        "past": [r for r in rows if r["status"] in ("revoked", "expired", "replaced")][:20],
    }
    # With something to look at already, asking again is the rarer thing.
    context["collapse_form"] = bool(context["waiting"] or context["asked"] or context["current"]) and not form.is_bound
    return render(request, "therapists/access.html", context)


@login_required
def therapist_sees(request):
    """What your therapist sees: for each grant in force, exactly what its
    therapist reads under each granted scope, drawn as their pages draw it
    (``selectors.therapist_view_for_member``), and "Not shared" for the
    others. The partner rules still hold (the other partner's missed
    promises read "ended", their trigger patterns and notes for the
    therapist only are not shown). Not a therapist read: nothing is logged."""
    user = request.user
    if user.is_therapist:
        return redirect("therapist-home")
    couple = couple_for_user(user=user)
    if couple is None:
        return redirect("home")
    now = timezone.now()
    partner = couple_partner_of(couple=couple, user=user)
    views = [
        _sees_blocks(selectors.therapist_view_for_member(user=user, grant=grant, now=now), user=user)
        for grant in selectors.grants_active_for_member(user=user, now=now)
    ]
    context = {"views": views, "partner": partner, "partner_name": partner.display_name if partner else "your partner"}
    return render(request, "therapists/sees.html", context)


def _sees_blocks(view: dict, *, user) -> dict:
    """One grant's view as page blocks, one per scope in the usual order."""
    from repair.trend import trend_chart

    tz = user.tzinfo
    names_by_id = {p["id"]: p["display_name"] for p in view["summary"]["couple"]["partners"]}
    sections = {section["key"]: section for section in summary_sections(view["summary"])}
    blocks = []
    for scope in SCOPE_ORDER:
        block = {"key": scope, "title": SCOPE_TITLES[scope], "shared": scope in view["scopes"]}
        if block["shared"]:
            if scope in sections:
                block["section"] = sections[scope]
            elif scope == Scope.PROGRESS:
                block["progress"] = progress_display(view["progress"], tz=tz)
            elif scope == Scope.PROMISES:
                block["promises"] = promise_rows(view["promises"], names_by_id=names_by_id, tz=tz, state_key="p_seen")
            elif scope == Scope.REPAIR_TREND:
                block["repair_trend"] = trend_chart(view["repair_trend"])
            elif scope == Scope.PRACTICE:
                kinds = dict(Practice.Kind.choices)
                block["practices"] = [
                    {**row, "status_words": PRACTICE_STATUS_WORDS[row["status"]], "kind_words": kinds[row["kind"]]}
                    for row in view["practices"]
                ]
            block["withheld"] = scope in view["withheld"]
        blocks.append(block)
    grant = view["grant"]
    return {
        "grant": grant,
        "therapist_name": view["therapist"]["display_name"],
        "blocks": blocks,
        "not_shared": [b for b in blocks if not b["shared"]],
        "start": view["summary"]["from"],
        "end": view["summary"]["to"],
        "last_day": (grant.expires_at - dt.timedelta(microseconds=1)).astimezone(user.tzinfo),
        "next_sessions": view["next_sessions"],
        "presession_notes": view["presession_notes"],
    }


@login_required
@require_POST
def grant_approve(request, grant_id: int):
    grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
    scopes = request.POST.getlist("scopes")
    raw_expiry = request.POST.get("expires_at", "")
    try:
        expires_at = dt.datetime.fromisoformat(raw_expiry) if raw_expiry else None
    except ValueError:
        expires_at = None
        messages.error(request, gettext("That didn't work. Look at the request again."))
        return redirect("therapist-access")
    try:
        services.grant_approve(grant=grant, user=request.user, scopes=scopes or None, expires_at=expires_at)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("Approved. %(therapist)s can now see what you both chose.")
            % {"therapist": grant.therapist.display_name},
        )
    return redirect(f"{reverse('therapist-access')}#grant-{grant.pk}")


@login_required
@require_POST
def grant_change(request, grant_id: int):
    """Ask to change what is shared: a new request that replaces the grant
    in force once the partner approves it (a grant never gains a scope)."""
    grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
    form = GrantChangeForm(request.POST, tz=request.user.tzinfo, now=timezone.now(), grant=grant, prefix=f"g{grant.pk}")
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
        return redirect(f"{reverse('therapist-access')}#grant-{grant.pk}")
    try:
        replacement = services.grant_replace_request(
            grant=grant, user=request.user, scopes=form.cleaned_data["scopes"], expires_at=form.expires_at()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('therapist-access')}#grant-{grant.pk}")
    messages.success(
        request, gettext("Asked. What you share now stays as it is until your partner approves the change.")
    )
    return redirect(f"{reverse('therapist-access')}#grant-{replacement.pk}")


@login_required
@require_POST
def presession_note_create(request, grant_id: int):
    """A partner writes a note for the therapist of a grant in force."""
    grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
    try:
        services.presession_note_write(
            couple=grant.couple,
            author=request.user,
            therapist_id=grant.therapist_id,
            text=request.POST.get("text", ""),
            share_with_partner=request.POST.get("share_with_partner") == "on",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Saved for %(therapist)s.") % {"therapist": grant.therapist.display_name})
    return redirect(f"{reverse('therapist-access')}#grant-{grant.pk}")


@login_required
@require_POST
def grant_revoke(request, grant_id: int):
    grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
    was_pending = grant.status == "pending"
    try:
        services.grant_revoke(grant=grant, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("Request withdrawn.")
            if was_pending
            else gettext("Stopped. %(therapist)s can no longer see anything, from now on.")
            % {"therapist": grant.therapist.display_name},
        )
    return redirect("therapist-access")


@login_required
def access_log(request):
    """The log of the current couple, or of a couple the person was in
    (``?couple=<id>``; by default the most recent one when not paired now),
    for their time in it. 404 for a couple they never were in."""
    user = request.user
    if user.is_therapist:
        return redirect("therapist-home")
    memberships = list(selectors.access_log_couples_for_member(user=user))
    if not memberships:
        # Linked from the settings page for anyone not paired now.
        return render(request, "therapists/log.html", {"never_paired": True})
    raw = request.GET.get("couple", "")
    if raw:
        shown = next((m for m in memberships if raw.isdigit() and str(m.couple_id) == raw), None)
        if shown is None:
            raise Http404
    else:
        shown = memberships[0]  # current first, then the most recently left
    events = selectors.access_log_for_member(user=user, couple_id=shown.couple_id)
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    tz = user.tzinfo
    items = [{"event": e, "sentence": event_sentence(e, tz=tz)} for e in page.object_list]

    def day(at: dt.datetime) -> str:
        return date_format(at.astimezone(tz), "DATE_FORMAT")

    context = {
        "page": page,
        "items": items,
        "couple_id": shown.couple_id,
        "joined": day(shown.joined_at),
        "left": day(shown.left_at) if shown.left_at else None,
        "others": [
            {
                "couple_id": m.couple_id,
                "label": gettext("The couple you were in until %(day)s") % {"day": day(m.left_at)}
                if m.left_at
                else gettext("Your couple now"),
            }
            for m in memberships
            if m is not shown
        ],
    }
    return render(request, "therapists/log.html", context)


def home_context(user, *, now: dt.datetime | None = None) -> dict:
    """Context for ``therapists/_home_card.html`` on the couple home page:
    requests waiting for this partner, and who sees what until when.
    Empty for someone who is not paired. Two queries."""
    couple = couple_for_user(user=user)
    if couple is None or user.is_therapist:
        return {"therapists_card": False}
    now = now or timezone.now()
    rows = [_grant_row(g, user=user, now=now) for g in selectors.GRANTS_FOR_CARD.rows(couple=couple, limit=20)]
    return {
        "therapists_card": True,
        "therapists_waiting": [r for r in rows if r["can_approve"]],
        "therapists_active": [r for r in rows if r["status"] == "active"],
        "therapists_pending_partner": [r for r in rows if r["status"] == "pending" and r["asked_by_me"]],
    }


# --- therapists -------------------------------------------------------------------------------------------


def therapist_required(view):
    """Signed in as a therapist with two-factor authentication set up;
    partners go home, therapists without it go to the set-up steps."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_therapist:
            return redirect("home")
        if not has_totp(request.user):
            messages.info(request, gettext("First, protect your account with two-factor authentication."))
            return redirect("therapist-security")
        return view(request, *args, **kwargs)

    return wrapped


@therapist_required
@require_http_methods(["GET", "POST"])
def therapist_home(request):
    therapist = request.user
    new_code = None
    if request.method == "POST":
        try:
            new_code = services.connect_code_create(therapist=therapist)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            request.session["therapists_new_code"] = new_code.pk
            return redirect("therapist-home")
    new_code_id = request.session.pop("therapists_new_code", None)
    grants = list(selectors.grants_active_for_therapist(therapist=therapist))
    attention = selectors.couples_attention(grants=grants)
    services.access_record_list(therapist=therapist, grants=grants, ip=client_ip(request))
    codes = list(selectors.connect_codes_open_for(therapist=therapist)[: services.OPEN_CODES_MAX])
    couples = []
    for g in grants:
        names = {m.user_id: m.user.display_name for m in g.couple.partners}
        couples.append(
            {
                "grant": g,
                "names": join_words(list(names.values())),
                "scopes": [SCOPE_TITLES[s] for s in SCOPE_ORDER if s in g.scopes],
                "last_day": (g.expires_at - dt.timedelta(microseconds=1)),
                "attention": [_attention_words(a, names) for a in attention.get(g.couple_id, [])],
            }
        )
    # What needs attention first; then by the grant's end, as listed.
    couples.sort(key=lambda c: not c["attention"])
    context = {
        "couples": couples,
        "new_code": next((c for c in codes if c.pk == new_code_id), None),
        "other_codes": [c for c in codes if c.pk != new_code_id],
        "code_ttl_days": services.CONNECT_CODE_TTL.days,
    }
    return render(request, "therapists/home.html", context)


def _attention_words(a: dict, names: dict) -> str:
    if a["kind"] == "practice_missed":
        return ngettext("%(n)d practice missed", "%(n)d practices missed", a["count"]) % {"n": a["count"]}
    if a["kind"] == "presession_note":
        return ngettext("%(n)d new note for you", "%(n)d new notes for you", a["count"]) % {"n": a["count"]}
    return gettext("%(name)s's check-up total fell by %(drop)s (%(from)s to %(to)s, round %(round)s)") % {
        "name": names.get(a["partner_id"]) or gettext("A partner"),
        "drop": a["drop"],
        "from": a["from_score"],
        "to": a["to_score"],
        "round": a["round_number"],
    }


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _week_label(year_too: bool):
    shape = "day_month_year_short" if year_too else "day_month_short"
    return lambda d: dates.when(d, shape)


def _pct(v: float) -> str:
    return f"{round(v)}%"


def _count(v: float) -> str:
    return str(int(round(v)))


def summary_sections(summary: dict) -> list[dict]:
    """The summary as page sections: a title, a chart and a few numbers
    per granted scope, in the usual order."""
    start, end = summary["from"], summary["to"]
    label = _week_label(start.year != end.year or (end - start).days > 300)
    sections = []
    data = summary["sections"]
    if Scope.CHECKIN_CONSISTENCY in data:
        s = data[Scope.CHECKIN_CONSISTENCY]
        bars = [
            Bar(
                label(w["week_start"]),
                w["ratio"] * 100 if w["ratio"] is not None else None,
                gettext("%(done)s of %(scheduled)s") % {"done": w["completed"], "scheduled": w["scheduled"]},
            )
            for w in s["weeks"]
        ]
        sections.append(
            {
                "key": Scope.CHECKIN_CONSISTENCY,
                "chart": bar_chart(
                    bars,
                    title=gettext("Scheduled check-ins completed together, per week"),
                    y_max=100,
                    y_format=_pct,
                    y_name=gettext("Completed"),
                    empty_text=gettext("No scheduled check-ins in these dates."),
                ),
                "totals": s["totals"],
            }
        )
    if Scope.MOOD_TRENDS in data:
        s = data[Scope.MOOD_TRENDS]
        series = [
            Series(p["display_name"], [(w["week_start"], w["average"]) for w in p["weeks"] if w["average"] is not None])
            for p in s["partners"]
        ]
        sections.append(
            {
                "key": Scope.MOOD_TRENDS,
                "chart": line_chart(
                    series,
                    title=gettext("Average mood per week (1 struggling to 5 great)"),
                    y_min=1,
                    y_max=5,
                    y_ticks=[1, 3, 5],
                    y_labels={1.0: "Struggling", 3.0: "Okay", 5.0: "Great"},
                    y_format=lambda y: f"{y:.1f}".rstrip("0").rstrip("."),
                    x_label=label,
                    x_name=gettext("Week of"),
                    y_name=gettext("Average mood"),
                    width=420,
                    height=160,
                    empty_text=gettext("No moods from check-ins both saw in these dates."),
                ),
                "partners": s["partners"],
            }
        )
    if Scope.AGREEMENTS in data:
        from agreements.models import Category as AgreementCategory

        words = dict(AgreementCategory.choices)
        sections.append(
            {
                "key": Scope.AGREEMENTS,
                "agreements": [
                    {**a, "category_label": words.get(a["category"], a["category"])}
                    for a in data[Scope.AGREEMENTS]["agreements"]
                ],
            }
        )
    if Scope.GRATITUDE_FREQUENCY in data:
        s = data[Scope.GRATITUDE_FREQUENCY]
        bars = [Bar(label(w["week_start"]), w["notes"]) for w in s["weeks"]]
        sections.append(
            {
                "key": Scope.GRATITUDE_FREQUENCY,
                "chart": bar_chart(
                    bars,
                    title=gettext("Notes of appreciation sent, per week (both together)"),
                    y_max=max(4, max((b.value for b in bars), default=0)),
                    y_format=_count,
                    y_name=gettext("Notes"),
                ),
                "total": s["total"],
            }
        )
    if Scope.RECONNECT_FOLLOWTHROUGH in data:
        sections.append({"key": Scope.RECONNECT_FOLLOWTHROUGH, "counts": data[Scope.RECONNECT_FOLLOWTHROUGH]})
    if Scope.TRIGGER_PATTERNS in data:
        s = data[Scope.TRIGGER_PATTERNS]
        from journal.models import Category

        category_words = dict(Category.choices)
        people = []
        for p in s["partners"]:
            weeks = p["weeks"]
            people.append(
                {
                    "name": p["display_name"],
                    "total": p["total"],
                    "intensity": p["intensity"],
                    "categories": [
                        (category_words.get(c, c), n)
                        for c, n in sorted(p["by_category"].items(), key=lambda kv: -kv[1])
                        if n
                    ],
                    "chart": bar_chart(
                        [Bar(label(w["week_start"]), w["total"]) for w in weeks],
                        title=gettext("%(name)s: triggers logged per week") % {"name": p["display_name"]},
                        y_max=max(4, max((w["total"] for w in weeks), default=0)),
                        y_format=_count,
                        y_name=gettext("Triggers"),
                        height=110,
                    ),
                }
            )
        sections.append({"key": Scope.TRIGGER_PATTERNS, "people": people})
    for section in sections:
        section["title"] = SCOPE_TITLES[section["key"]]
    return sections


PROMISE_KINDS = {
    "timeout": _("Time-out return"),
    "space": _("Return from space"),
    "commitment": _("Repair commitment"),
    "checkin": _("Check-in"),
    "agreement_review": _("Agreement review"),
    "practice": _("Practice"),
}


def progress_display(data: dict, *, tz) -> dict:
    """Check-up progress (``checkups.selectors.progress_for_couple``) as
    the therapist's page draws it: both partners' lines side by side, the
    falls flagged (``therapists/_progress_body.html``)."""
    from checkups.display import progress_charts

    names_by_id = {p["partner_id"]: p["display_name"] for p in data["partners"]}
    return {
        "people": progress_charts(data, tz=tz),
        "flags": [{**f, "name": names_by_id.get(f["partner_id"], "")} for f in data["flags"]],
        "instrument": data["instrument"],
        "rounds": max((len(p["points"]) for p in data["partners"]), default=0),
    }


def promise_rows(rows, *, names_by_id: dict, tz, state_key: str = "p_state") -> list[dict]:
    """Ledger rows as the therapist's pages list them
    (``therapists/_promises_body.html``): who, what, when due and how it
    went. ``state_key``: ``p_state`` (full outcomes, the therapist's) or
    ``p_seen`` (as a partner may read it)."""
    from promises.display import when

    return [
        {
            "who": names_by_id.get(r["p_made_by"], "Both") if r["p_made_by"] else "Both",
            "kind": PROMISE_KINDS.get(r["p_kind"], r["p_kind"]),
            "due": when(r["p_due"], tz),
            "state": r[state_key],
            "moved": r["p_renegotiated_at"] is not None,
        }
        for r in rows
    ]


@therapist_required
def therapist_summary(request, couple_id: int):
    now = timezone.now()
    grant = selectors.grant_active_for_therapist(therapist=request.user, couple_id=couple_id, now=now)
    raw_from, raw_to = request.GET.get("start"), request.GET.get("end")
    try:
        start, end = selectors.period_from_params(couple=grant.couple, raw_from=raw_from, raw_to=raw_to, now=now)
        period_errors = {}
    except DomainError as exc:
        period_errors = {("start" if k == "from" else "end"): v for k, v in (exc.errors or {}).items()}
        start, end = selectors.default_period(couple=grant.couple, now=now)
    form = PeriodForm(initial={"start": start, "end": end})
    if period_errors:
        form = PeriodForm({"start": raw_from or "", "end": raw_to or ""})
        form.is_valid()
        for field, msgs in period_errors.items():
            for msg in msgs:
                form.add_error(field, msg)
    summary = services.therapist_summary_read(
        therapist=request.user, grant=grant, start=start, end=end, ip=client_ip(request), now=now
    )
    names = join_words([p["display_name"] for p in summary["couple"]["partners"]])
    progress = None
    if Scope.PROGRESS in grant.scopes:
        # Its own read under its own scope, logged as such.
        data = services.therapist_progress_read(
            therapist=request.user, couple_id=couple_id, ip=client_ip(request), now=now
        )
        progress = progress_display(data, tz=request.user.tzinfo)
    promises = repair = None
    if Scope.PROMISES in grant.scopes:
        # Its own read under its own scope, logged as such (full outcomes).
        rows = services.therapist_promises_read(
            therapist=request.user, couple_id=couple_id, ip=client_ip(request), now=now, limit=30
        )
        names_by_id = {p["id"]: p["display_name"] for p in summary["couple"]["partners"]}
        promises = promise_rows(rows, names_by_id=names_by_id, tz=request.user.tzinfo)
    if Scope.REPAIR_TREND in grant.scopes:
        from repair.trend import trend_chart

        trend = services.therapist_repair_trend_read(
            therapist=request.user, couple_id=couple_id, ip=client_ip(request), now=now
        )
        repair = trend_chart(trend)
    context = {
        "promises": promises,
        "repair_trend": repair,
        "progress": progress,
        "grant": grant,
        "names": names,
        "summary": summary,
        "sections": summary_sections(summary),
        "form": form,
        "start": start,
        "end": end,
        "couple_tz": zoneinfo.ZoneInfo(grant.couple.timezone),
        "not_shared": [SCOPE_TITLES[s] for s in SCOPE_ORDER if s not in grant.scopes],
        "last_day": grant.expires_at - dt.timedelta(microseconds=1),
        "generated_at": now,
    }
    return render(request, "therapists/summary.html", context)


class SessionNoteForm(forms.Form):
    text = forms.CharField(
        label=_("A new note"),
        help_text=_("Private to you: the couple never sees them. They are in your own data export."),
        max_length=services.SESSION_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write something first.")},
    )


@therapist_required
@require_http_methods(["GET", "POST"])
def therapist_session(request, couple_id: int):
    """Before the next session: the notes the partners wrote for this
    therapist, the therapist's own private notes, printable (the page's
    print layout). Each look is a logged read."""
    form = SessionNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_note_write(therapist=request.user, couple_id=couple_id, text=form.cleaned_data["text"])
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, gettext("Saved. Only you can read it."))
            return redirect("therapist-session", couple_id=couple_id)
    now = timezone.now()
    data = services.therapist_session_read(therapist=request.user, couple_id=couple_id, ip=client_ip(request), now=now)
    from couples.selectors import couple_partners

    changes = data["changes"]
    for row in changes.get("practices", []):
        row["status_words"] = PRACTICE_STATUS_WORDS[row["status"]]
        row["kind_words"] = dict(Practice.Kind.choices)[row["kind"]]
    partners = couple_partners(couple=data["grant"].couple)
    if "promises" in changes:
        names_by_id = {p.pk: p.display_name for p in partners}
        changes["promises"] = promise_rows(changes["promises"], names_by_id=names_by_id, tz=request.user.tzinfo)
    context = {
        "grant": data["grant"],
        "names": join_words([p.display_name for p in partners]),
        "presession_notes": data["presession_notes"],
        "session_notes": data["session_notes"],
        "next_sessions": data["next_sessions"],
        "last_session": data["last_session"],
        "changes": changes,
        "can_practice": Scope.PRACTICE in data["grant"].scopes,
        "practice_form": PracticeForm(),
        "session_date_form": SessionDateForm(),
        "last_day": data["grant"].expires_at - dt.timedelta(microseconds=1),
        "form": form,
        "generated_at": now,
    }
    return render(request, "therapists/session.html", context)


@therapist_required
@require_POST
def therapist_checkup_request(request, couple_id: int):
    try:
        services.therapist_checkup_request(therapist=request.user, couple_id=couple_id, ip=client_ip(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Asked. Both partners get a reminder now; nothing about you is in it."))
    return redirect(f"{reverse('therapist-summary', args=[couple_id])}#s-progress")


@therapist_required
@require_POST
def therapist_end(request, couple_id: int):
    services.therapist_access_end(therapist=request.user, couple_id=couple_id)
    messages.success(request, gettext("Ended. You no longer see anything of this couple; they see that you ended it."))
    return redirect("therapist-home")


@login_required
@require_http_methods(["GET", "POST"])
def therapist_security(request):
    """The steps before any couple's data: a confirmed email address (allauth
    will not add an authenticator to an account whose address nobody
    confirmed), then an authenticator app, then recovery codes."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    user = request.user
    if not user.is_therapist:
        return redirect("home")
    unverified = EmailAddress.objects.filter(user=user, verified=False).first()
    if request.method == "POST" and request.POST.get("action") == "confirm-email" and unverified is not None:
        unverified.send_confirmation(request)
        messages.success(
            request, gettext("We sent a link to %(email)s. Open it, then come back here.") % {"email": unverified.email}
        )
        return redirect("therapist-security")
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    context = {
        "unverified": unverified,
        "has_totp": Authenticator.Type.TOTP in types,
        "has_recovery": Authenticator.Type.RECOVERY_CODES in types,
    }
    return render(request, "therapists/security.html", context)


class TherapistSignupView(SignupView):
    """allauth's sign-up, for therapists: the same form and checks (a taken
    address gets the same answer), with the therapist role set on the new
    account before anything else happens, then the emailed link, then the
    two-factor set-up."""

    template_name = "therapists/join.html"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if "display_name" in form.fields:
            form.fields["display_name"].label = gettext("Your name, as couples will see it")
            form.fields["display_name"].help_text = gettext(
                "For example Dr Theo Lind. It appears in each couple's access log."
            )
            form.fields["display_name"].widget.attrs["autocomplete"] = "name"
        if "timezone" in form.fields:
            form.fields["timezone"].help_text = gettext("Picked from this computer. Times are shown in it.")
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        user = getattr(self, "user", None)
        if user is not None and user.pk:
            services.therapist_role_set(user=user)
        return response

    def get_success_url(self):
        return reverse("therapist-security")


therapist_join = TherapistSignupView.as_view()


# --- practice between sessions ---------------------------------------------------------------------------

PRACTICE_STATUS_WORDS = {
    "proposed": _("Waiting for both of you"),
    "accepted": _("You both accepted"),
    "missed": _("Missed"),
    "not_taken_up": _("Not taken up"),
    "done": _("Done"),
    "renegotiated": _("Renegotiated"),
    "closed": _("Closed"),
}


@login_required
@require_http_methods(["GET"])
def practices(request):
    """The couple's practices (mobile-first cards): answer a proposal,
    mark an accepted one done or renegotiated."""
    if request.user.is_therapist:
        return redirect("therapist-home")
    if couple_for_user(user=request.user) is None:
        return redirect("pair")
    rows = selectors.practices_for_member(user=request.user)
    for row in rows:
        row["status_words"] = PRACTICE_STATUS_WORDS[row["status"]]
        row["kind_words"] = dict(Practice.Kind.choices)[row["kind"]]
    context = {
        "waiting": [r for r in rows if r["status"] == "proposed"],
        "open": [r for r in rows if r["status"] == "accepted"],
        "past": [r for r in rows if r["status"] not in ("proposed", "accepted")],
        "current_tab": "more",
    }
    return render(request, "therapists/practices.html", context)


@login_required
@require_POST
def practice_act(request, practice_id: int, action: str):
    selectors.practice_get_for_member(user=request.user, practice_id=practice_id)
    done = {
        "accept": (
            "Accepted.",
            lambda: services.practice_answer(practice_id=practice_id, user=request.user, accept=True),
        ),
        "decline": (
            "Declined. Your therapist sees that it was not taken up, not who said no.",
            lambda: services.practice_answer(practice_id=practice_id, user=request.user, accept=False),
        ),
        "done": (
            "Marked done. Well done, both of you.",
            lambda: services.practice_outcome_set(practice_id=practice_id, user=request.user, outcome="done"),
        ),
        "renegotiate": (
            "Marked renegotiated. Bring it to your next session.",
            lambda: services.practice_outcome_set(practice_id=practice_id, user=request.user, outcome="renegotiated"),
        ),
    }.get(action)
    if done is None:
        raise Http404
    try:
        done[1]()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done[0])
    return redirect(f"{reverse('practices')}#practice-{practice_id}")


class PracticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Practice.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=services.PRACTICE_TITLE_MAX)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=services.PRACTICE_DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due = forms.DateField(label=_("Due by the end of"), widget=forms.DateInput(attrs={"type": "date"}))


@therapist_required
@require_POST
def therapist_practice_propose(request, couple_id: int):
    """A therapist proposes a practice from the session page (practice
    scope; the write is logged)."""
    grant = selectors.grant_active_for_therapist(therapist=request.user, couple_id=couple_id)
    form = PracticeForm(request.POST)
    if form.is_valid():
        due_at = local_to_utc(form.cleaned_data["due"], dt.time(23, 59), zoneinfo.ZoneInfo(grant.couple.timezone))
        try:
            services.practice_propose(
                therapist=request.user,
                couple_id=couple_id,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                details=form.cleaned_data["details"],
                due_at=due_at,
                ip=client_ip(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("Proposed. It starts once both partners accept it."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('therapist-session', args=[couple_id])}#practices")


class SessionDateForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time (yours)"), widget=forms.TimeInput(attrs={"type": "time"}))


@therapist_required
@require_POST
def therapist_session_date(request, couple_id: int):
    """The therapist adds a next session date (their own timezone)."""
    form = SessionDateForm(request.POST)
    if form.is_valid():
        at = local_to_utc(form.cleaned_data["day"], form.cleaned_data["time"], request.user.tzinfo)
        try:
            services.next_session_set(therapist=request.user, couple_id=couple_id, at=at, ip=client_ip(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("Saved. The couple sees the date on their therapist page."))
    else:
        messages.error(request, gettext("Give a day and a time."))
    return redirect(f"{reverse('therapist-session', args=[couple_id])}#next-sessions")


@therapist_required
@require_POST
def therapist_session_date_remove(request, couple_id: int, session_id: int):
    services.next_session_remove(therapist=request.user, couple_id=couple_id, session_id=session_id)
    return redirect(f"{reverse('therapist-session', args=[couple_id])}#next-sessions")
