"""The reassurance ritual and "I steadied myself" on the web: the ritual
page (agree a time; between times, when the next one is, with grounding and
the journal), one ritual time (write, then both messages), one's own
phrases, and the steadied page (record, digests). Server-rendered and usable
without JavaScript. Reads through ``selectors``, writes through
``services``; the partner's message only through ``messages_for``."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from backend import dates
from backend.errors import DomainError
from backend.localtime import local_date, zone
from backend.prepared import PreparedRows
from backend.weekdays import week_order
from couples.models import Couple
from couples.selectors import couple_for_user, couple_get_for_member, couple_partner_of
from journal.models import Entry
from space.models import Kind as SpaceKind
from space.models import SpacePeriod

from . import selectors, services
from .api import occurrence_status
from .models import (
    AFTER_TIMEOUT_MAX,
    MESSAGE_MAX,
    PHRASE_MAX,
    WHAT_MAX,
    Message,
    Occurrence,
    Ritual,
    RitualVersion,
    Steadied,
)

# Short day names ("Mon"), in the reader's language (Django's own catalog).
WEEKDAY_CHOICES = [(str(i), WEEKDAYS_ABBR[i]) for i in range(7)]
TIME_CHOICES = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(6, 24) for m in (0, 30)]


def _partner_name(user) -> str:
    couple = couple_for_user(user=user)
    partner = couple_partner_of(couple=couple, user=user) if couple else None
    return partner.display_name if partner is not None and partner.display_name else gettext("your partner")


def when_words(instant: dt.datetime | None, user) -> str:
    """An instant on the viewer's own clock: "Tuesday 8 December, 20:30"."""
    if instant is None:
        return ""
    local = instant.astimezone(zone(name=user.timezone))
    return dates.when(local, "weekday_day_month_time")


# --- the ritual -----------------------------------------------------------------------------------


class RitualForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("When"),
        choices=RitualVersion.Mode.choices,
        widget=forms.RadioSelect,
        initial=RitualVersion.Mode.WEEKLY,
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Days"), choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    time = forms.ChoiceField(
        label=pgettext_lazy("time of day", "Time"), choices=TIME_CHOICES, initial="20:30", required=False
    )
    after_timeout_minutes = forms.IntegerField(
        label=_("Minutes after a time-out ends"),
        min_value=0,
        max_value=AFTER_TIMEOUT_MAX,
        initial=15,
        required=False,
        error_messages={
            "max_value": lazy(
                lambda: (
                    ngettext("At most %(n)d minute.", "At most %(n)d minutes.", AFTER_TIMEOUT_MAX)
                    % {"n": AFTER_TIMEOUT_MAX}
                ),
                str,
            )(),
            "min_value": _("0 or more minutes."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The week from this language's first day; the values stay ISO (Monday = 0).
        self.fields["weekdays"].choices = [WEEKDAY_CHOICES[day] for day in week_order()]

    def data_for_service(self, tz: str) -> dict:
        c = self.cleaned_data
        if c["mode"] == RitualVersion.Mode.AFTER_TIMEOUT:
            return {
                "after_timeout_minutes": c.get("after_timeout_minutes")
                if c.get("after_timeout_minutes") is not None
                else -1
            }
        return {
            "weekdays": [int(d) for d in c["weekdays"]],
            "time": dt.time.fromisoformat(c["time"]) if c.get("time") else None,
            "timezone": tz,
        }


@login_required
@require_http_methods(["GET", "POST"])
def ritual(request):
    couple = couple_get_for_member(user=request.user)
    now = timezone.now()
    current = selectors.ritual_of_member(user=request.user)
    version = selectors.ritual_version(current, current.version) if current else None
    active = selectors.ritual_version(current, current.active_version) if current else None
    form = RitualForm(request.POST or None, initial=_form_initial(version))
    if request.method == "POST":
        action = request.POST.get("action", "propose")
        try:
            if action == "accept" and current is not None:
                services.ritual_accept(ritual_id=current.pk, user=request.user, version=int(request.POST["version"]))
                messages.success(request, gettext("Agreed. You'll both see when the next one is."))
                return redirect("reassurance")
            if form.is_valid():
                services.ritual_propose(
                    user=request.user,
                    data=form.data_for_service(couple.timezone),
                    version=current.version if current else None,
                )
                messages.success(
                    request,
                    gettext("Proposed. %(name)s can accept it here.")
                    % {"name": _partner_name(request.user).capitalize()},
                )
                return redirect("reassurance")
        except DomainError as exc:
            for field, errs in (exc.errors or {exc.field or "__all__": [exc.message]}).items():
                form.add_error(field if field in form.fields else None, errs)
        except (KeyError, ValueError):
            form.add_error(None, gettext("Please read the ritual again and try once more."))
    next_at = services.ritual_next_time(ritual=current, terms=active, now=now) if current else None
    open_now = (
        selectors.with_messages(
            Occurrence.objects.filter(
                couple=couple, revealed_at__isnull=True, closed_at__isnull=True, at__lte=now, closes_at__gt=now
            )
        )
        .order_by("-at")
        .first()
    )
    past = list(selectors.occurrences_for_member(user=request.user)[:10])
    return render(
        request,
        "reassurance/ritual.html",
        {
            "ritual": current,
            "version": version,
            "active": active,
            "version_words": services.ritual_describe(version),
            "active_words": services.ritual_describe(active),
            "can_accept": current is not None
            and current.status == Ritual.Status.PROPOSED
            and version.proposed_by_id != request.user.pk,
            "next_words": when_words(next_at, request.user),
            "open_now": open_now,
            "past": [_occurrence_row(o, request.user, now) for o in past],
            "form": form,
            "partner_name": _partner_name(request.user),
            "couple_tz": couple.timezone,
        },
    )


def _form_initial(version: RitualVersion | None) -> dict:
    if version is None:
        return {}
    if version.mode == RitualVersion.Mode.AFTER_TIMEOUT:
        return {"mode": version.mode, "after_timeout_minutes": version.after_timeout_minutes}
    return {"mode": version.mode, "weekdays": [str(d) for d in version.weekdays], "time": f"{version.time:%H:%M}"}


def _occurrence_row(o: Occurrence, user, now) -> dict:
    mine, partner = selectors.messages_for(occurrence=o, user=user)
    return {
        "occurrence": o,
        "when": when_words(o.at, user),
        "mine": mine,
        "partner": partner,
        "status": occurrence_status(o, mine, now),
    }


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        strip=True,
        max_length=MESSAGE_MAX,
        error_messages={
            "required": _("Write a few words for your partner first."),
            "max_length": lazy(
                lambda: (
                    ngettext("Keep it under %(n)d character.", "Keep it under %(n)d characters.", MESSAGE_MAX)
                    % {"n": MESSAGE_MAX}
                ),
                str,
            )(),
        },
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def occurrence(request, occurrence_id: int):
    found = selectors.access_occurrence(user=request.user, occurrence_id=occurrence_id)
    o = selectors.with_messages(Occurrence.objects.filter(pk=found.pk).select_related("couple")).get()
    now = timezone.now()
    row = _occurrence_row(o, request.user, now)
    form = MessageForm(request.POST or None, initial={"text": row["mine"] or ""})
    if request.method == "POST" and form.is_valid():
        try:
            o = services.message_write(user=request.user, occurrence_id=o.pk, text=form.cleaned_data["text"])
        except DomainError as exc:
            if exc.status_code == 409:
                messages.info(request, exc.message)
                return redirect("reassurance-occurrence", occurrence_id=o.pk)
            form.add_error("text" if exc.field == "text" else None, exc.message)
        else:
            if o.revealed_at is not None:
                messages.success(request, gettext("You've both written. Here are both messages."))
            else:
                messages.success(request, gettext("Saved. You'll both read each other's once you've both written."))
            return redirect("reassurance-occurrence", occurrence_id=o.pk)
    editing = row["status"] == "open" or (
        row["status"] == "waiting" and (request.GET.get("edit") == "1" or request.method == "POST")
    )
    return render(
        request,
        "reassurance/occurrence.html",
        {
            "row": row,
            "form": form,
            "editing": editing,
            "partner_phrases": services.partner_phrases_for(occurrence=o, user=request.user),
            "partner_name": _partner_name(request.user),
            "closes_words": when_words(o.closes_at, request.user),
            "message_max": MESSAGE_MAX,
        },
    )


# --- phrases --------------------------------------------------------------------------------------


class PhraseForm(forms.Form):
    text = forms.CharField(
        label=_("Words you find reassuring to hear"),
        strip=True,
        max_length=PHRASE_MAX,
        error_messages={
            "required": _("Write the words you'd like to hear."),
            "max_length": lazy(
                lambda: (
                    ngettext("Keep it under %(n)d character.", "Keep it under %(n)d characters.", PHRASE_MAX)
                    % {"n": PHRASE_MAX}
                ),
                str,
            )(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def phrases(request):
    if request.user.is_therapist:
        raise PermissionDenied
    form = PhraseForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "add")
        try:
            if action == "delete":
                services.phrase_delete(user=request.user, phrase_id=int(request.POST.get("phrase", 0)))
                messages.success(request, gettext("Removed."))
                return redirect("reassurance-phrases")
            if action == "edit":
                services.phrase_edit(
                    user=request.user, phrase_id=int(request.POST.get("phrase", 0)), text=request.POST.get("text", "")
                )
                messages.success(request, gettext("Saved."))
                return redirect("reassurance-phrases")
            if form.is_valid():
                services.phrase_add(user=request.user, text=form.cleaned_data["text"])
                messages.success(request, gettext("Added."))
                return redirect("reassurance-phrases")
        except DomainError as exc:
            form.add_error("text" if exc.field == "text" else None, exc.message)
        except ValueError:
            raise Http404 from None
    return render(
        request,
        "reassurance/phrases.html",
        {"form": form, "phrases": selectors.phrases_of(user=request.user), "phrase_max": PHRASE_MAX},
    )


# --- "I steadied myself" --------------------------------------------------------------------------


class SteadiedForm(forms.Form):
    known = forms.ChoiceField(label=_("What I did"), required=False, widget=forms.RadioSelect)
    what = forms.CharField(
        label=_("Or in new words"),
        required=False,
        strip=True,
        max_length=WHAT_MAX,
        error_messages={
            "max_length": lazy(
                lambda: (
                    ngettext("Keep it under %(n)d character.", "Keep it under %(n)d characters.", WHAT_MAX)
                    % {"n": WHAT_MAX}
                ),
                str,
            )()
        },
    )
    helped = forms.ChoiceField(
        label=_("Did it help?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("", _("Not sure")), *Steadied.Helped.choices],
    )
    after = forms.ChoiceField(label=_("After"), required=False)

    def __init__(self, *args, known: list[str], after: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["known"].choices = [(w, w) for w in known]
        if not known:
            self.fields["what"].label = gettext("What I did")
        self.fields["after"].choices = [("", gettext("Nothing in particular")), *after]

    def clean(self):
        data = super().clean()
        if not data.get("what") and not data.get("known"):
            self.add_error("what", gettext("Write what you did, in your own words."))
        return data


def _after_choices(user: User) -> list[tuple[str, str]]:
    """The person's last few trigger logs and time-outs, to link a record to."""
    out = []
    tz = zone(name=user.timezone)
    for pk, at in (
        Entry.objects.filter(author=user, kind="trigger").order_by("-created_at").values_list("pk", "created_at")[:3]
    ):
        out.append(
            (
                f"journal_entry:{pk}",
                gettext("My trigger log of %(when)s")
                % {"when": dates.when(at.astimezone(tz), "weekday_day_month_time_short")},
            )
        )
    for pk, at in (
        SpacePeriod.objects.filter(author=user, kind=SpaceKind.TIMEOUT)
        .order_by("-started_at")
        .values_list("pk", "started_at")[:3]
    ):
        out.append(
            (
                f"timeout:{pk}",
                gettext("My time-out of %(when)s")
                % {"when": dates.when(at.astimezone(tz), "weekday_day_month_time_short")},
            )
        )
    return out


class ShareForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"))


@login_required
@require_http_methods(["GET", "POST"])
def steadied(request):
    if request.user.is_therapist:
        raise PermissionDenied
    user = request.user
    ways = services.steadied_ways(user=user)
    known = [w["what"] for w in ways][:12]
    after = _after_choices(user)
    form = SteadiedForm(request.POST or None, known=known, after=after, initial={"after": request.GET.get("after", "")})
    today = local_date(instant=timezone.now(), tz=user.timezone)
    months = [today.replace(day=1)]
    months.append((months[0] - dt.timedelta(days=1)).replace(day=1))
    share = ShareForm(prefix="share")
    share.fields["month"].choices = [(m.strftime("%Y-%m"), date_format(m, "YEAR_MONTH_FORMAT")) for m in months]
    if request.method == "POST" and request.POST.get("action") == "record" and form.is_valid():
        c = form.cleaned_data
        after_value = None
        if c.get("after"):
            key, _sep, pk = c["after"].partition(":")
            after_value = {key: int(pk)}
        try:
            services.steadied_record(
                user=user, what=c.get("what") or c.get("known"), helped=c.get("helped") or "", after=after_value
            )
        except DomainError as exc:
            for field, errs in (exc.errors or {"what": [exc.message]}).items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, gettext("Noted, just for you. You steadied yourself."))
            return redirect("steadied")
    records = services.steadied_open(list(selectors.steadied_of(user=user)[:20]), user.pk)
    couple = couple_for_user(user=user)
    return render(
        request,
        "reassurance/steadied.html",
        {
            "form": form,
            "share": share,
            "records": [(r, w, when_words(r.created_at, user)) for r, w in records],
            "ways": ways[:5],
            "paired": couple is not None,
            "mine": [(d, services.digest_items(d)) for d in selectors.digests_mine(user=user)] if couple else [],
            "shared_with_me": [(d, services.digest_items(d)) for d in selectors.digests_shared_with(user=user)]
            if couple
            else [],
            "partner_name": _partner_name(user),
        },
    )


@login_required
@require_POST
def digest_action(request, digest_id: int):
    action = request.POST.get("action")
    if action == "unshare":
        services.digest_unshare(user=request.user, digest_id=digest_id)
        messages.success(request, gettext("No longer shared."))
    elif action == "acknowledge":
        services.digest_acknowledge(user=request.user, digest_id=digest_id)
        messages.success(request, gettext("Thank you for reading it."))
    else:
        raise Http404
    return redirect("steadied")


@login_required
@require_POST
def digest_share(request):
    try:
        services.digest_share(user=request.user, month=request.POST.get("share-month", ""))
    except DomainError as exc:
        messages.info(request, exc.message)
    except Http404:
        messages.info(request, gettext("Sharing a month needs a partner to share it with."))
    else:
        messages.success(
            request,
            gettext("Shared with %(name)s. You can take it back any time.") % {"name": _partner_name(request.user)},
        )
    return redirect("steadied")


# --- the couple home page's card --------------------------------------------------------------------


def home_context(user, *, now: dt.datetime | None = None) -> dict:
    """Context for ``reassurance/_home_card.html``: when the next ritual is
    (on the viewer's clock), or that one is open now and whether the viewer
    wrote, with grounding and the journal offered. Never anything about the
    partner: not whether they wrote, not how often anyone needed it. One
    query (one more only for "after a time-out", to read its return time)."""
    couple = couple_for_user(user=user)
    if couple is None:
        return {"reassurance_card": False}
    now = now or timezone.now()
    row = CARD_RITUAL.first(user=user, couple=couple, now=now)
    version = None
    if row is not None and row.active_version is not None:
        version = RitualVersion(ritual=row, **{name: getattr(row, f"t_{name}") for name in TERM_FIELDS})
    next_at = services.ritual_next_time(ritual=row, terms=version, now=now) if version else None
    return {
        "reassurance_card": True,
        "reassurance_ritual": row,
        "reassurance_agreed": version is not None,
        "reassurance_next": when_words(next_at, user),
        "reassurance_after_timeout": version is not None and version.mode == RitualVersion.Mode.AFTER_TIMEOUT,
        "reassurance_words": services.ritual_describe(version),
        "reassurance_open": {"pk": row.open_id, "wrote": row.wrote} if row is not None and row.open_id else None,
    }


TERM_FIELDS = ("mode", "weekdays", "time", "timezone", "after_timeout_minutes")


def _card_ritual(*, user, couple, now):
    """The couple's ritual for the card, with the occurrence open now, whether
    the viewer wrote in it, and the terms in force: one row."""
    open_now = Occurrence.objects.filter(
        ritual=OuterRef("pk"), revealed_at__isnull=True, closed_at__isnull=True, at__lte=now, closes_at__gt=now
    ).order_by("-at")
    terms = RitualVersion.objects.filter(ritual=OuterRef("pk"), number=OuterRef("active_version"))
    return (
        Ritual.objects.filter(couple=couple)
        .exclude(status=Ritual.Status.RETIRED)
        .annotate(
            open_id=Subquery(open_now.values("pk")[:1]),
            wrote=Exists(Message.objects.filter(occurrence_id=Subquery(open_now.values("pk")[:1]), author=user)),
            **{f"t_{name}": Subquery(terms.values(name)[:1]) for name in TERM_FIELDS},
        )
        .order_by("pk")[:1]
    )


# The home card's read, prepared once per process (backend.prepared; see
# docs/operations.md, "Adding a card").
CARD_RITUAL = PreparedRows(_card_ritual, objects={"user": None, "couple": Couple}, now=True)
