"""Notes of appreciation, on the web: write one (with prompts), the jar of
received notes (and the sent box), one note, "show me an old one", and the
opt-in nudge. Server-rendered and usable without JavaScript.

Views read only through ``selectors`` (which hide a note from its recipient
until ``deliver_at``) and write only through ``services``. Opening or
reading a note writes nothing: there is no read receipt."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from backend import dates
from backend.errors import DomainError
from couples.selectors import couple_for_user, couple_get_for_member, couple_partner_of

from . import selectors, services
from .models import TEXT_MAX, Note, Reaction
from .prompts import PROMPTS
from .prompts import shown as prompts_shown

PAGE_SIZE = 10
NUDGE_CHOICES = [("", _("Off")), ("3", _("After 3 days")), ("7", _("After a week")), ("14", _("After two weeks"))]


def _partner_name(partner) -> str:
    return partner.display_name if partner is not None and partner.display_name else gettext("your partner")


def _couple_and_partner(user):
    couple = couple_get_for_member(user=user)
    return couple, couple_partner_of(couple=couple, user=user)


def _reactions(note: Note | None = None) -> list[dict]:
    chosen = note.reaction if note is not None else ""
    return [{"value": value, "label": label, "chosen": value == chosen} for value, label in Reaction.choices]


def note_row(note: Note, *, user, now: dt.datetime) -> dict:
    """A note as a page shows it."""
    delivered = note.is_delivered(now)
    return {
        "note": note,
        "from_me": note.author_id == user.pk,
        "delivered": delivered,
        "can_delete": note.author_id == user.pk and not delivered,
        "can_react": note.recipient_id == user.pk and delivered,
        "reaction_label": Reaction(note.reaction).label if note.reaction else "",
        "reactions": _reactions(note),
    }


# --- writing ----------------------------------------------------------------------


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your note"),
        strip=False,
        error_messages={"required": _("Write a few words first.")},
        widget=forms.Textarea(attrs={"rows": 6, "data-count": TEXT_MAX}),
    )
    when = forms.ChoiceField(
        label=_("When should it arrive?"),
        choices=[("now", _("Now")), ("later", _("At a time I choose"))],
        initial="now",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose when it should arrive."), "invalid_choice": _("Choose now or later.")},
    )
    deliver_at = forms.DateTimeField(
        label=_("Deliver on"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a date and time, like 2026-03-06 20:00.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("when") == "later" and not data.get("deliver_at") and "deliver_at" not in self.errors:
            self.add_error("deliver_at", gettext("Choose the day and time it should arrive."))
        return data


@login_required
@require_http_methods(["GET", "POST"])
def write(request):
    couple, partner = _couple_and_partner(request.user)
    name = _partner_name(partner)
    initial = {"when": "now"}
    raw_prompt = request.GET.get("prompt", "")
    if raw_prompt.isdigit() and int(raw_prompt) < len(PROMPTS):
        # Without JavaScript a prompt is a link that starts the note with it.
        initial["text"] = gettext(PROMPTS[int(raw_prompt)]) + " "
    # Dates and times typed on the page are the writer's own wall-clock time.
    with timezone.override(request.user.tzinfo):
        form = NoteForm(request.POST or None, initial=initial)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        deliver_at = data["deliver_at"] if data["when"] == "later" else None
        try:
            note = services.note_send(couple=couple, author=request.user, text=data["text"], deliver_at=deliver_at)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if note.is_delivered(timezone.now()):
                messages.success(
                    request, gettext("Sent. %(name)s can read it now.") % {"name": name[:1].upper() + name[1:]}
                )
            else:
                when = timezone.localtime(note.deliver_at, request.user.tzinfo)
                messages.success(
                    request,
                    gettext("Saved. It arrives %(day)s at %(time)s. Until then you can take it back.")
                    % {"day": dates.when(when, "weekday_day_month"), "time": dateformat.format(when, "H:i")},
                )
            return redirect(reverse("gratitude") + "?box=sent")
    return render(
        request,
        "gratitude/write.html",
        {
            "form": form,
            "prompts": list(enumerate(prompts_shown())),
            "partner_name": name,
            "text_max": TEXT_MAX,
            "later_open": form["when"].value() == "later",
            "tz_label": request.user.timezone.replace("_", " "),
        },
    )


# --- the jar ------------------------------------------------------------------------


class NudgeForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("A nudge to write"),
        choices=NUDGE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "A gentle reminder, only if you haven't written a note for a while. Just to you, never to your partner."
        ),
        error_messages={"invalid_choice": _("Choose one of the options.")},
    )


@login_required
@require_http_methods(["GET"])
def jar(request):
    _couple, partner = _couple_and_partner(request.user)
    box = request.GET.get("box", "received")
    if box not in selectors.BOXES:
        box = "received"
    now = timezone.now()
    page = Paginator(selectors.notes_for_member(user=request.user, box=box, now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    days = services.nudge_days_for(request.user)
    return render(
        request,
        "gratitude/jar.html",
        {
            "box": box,
            "page": page,
            "rows": [note_row(n, user=request.user, now=now) for n in page.object_list],
            "partner_name": _partner_name(partner),
            "nudge_form": NudgeForm(initial={"days": str(days) if days else ""}),
            "nudge_days": days,
            "this_path": request.get_full_path(),
        },
    )


@login_required
@require_http_methods(["GET"])
def random_note(request):
    _couple, partner = _couple_and_partner(request.user)
    raw = request.GET.get("exclude", "")
    exclude = int(raw) if raw.isdigit() and len(raw) < 19 else None
    now = timezone.now()
    note = selectors.note_random_for_member(user=request.user, exclude_id=exclude, now=now)
    return render(
        request,
        "gratitude/random.html",
        {
            "row": note_row(note, user=request.user, now=now) if note else None,
            "partner_name": _partner_name(partner),
            "this_path": request.get_full_path(),
        },
    )


@login_required
@require_http_methods(["GET"])
def note_detail(request, note_id: int):
    note = selectors.note_get_for_member(user=request.user, note_id=note_id)
    _couple, partner = _couple_and_partner(request.user)
    return render(
        request,
        "gratitude/note.html",
        {
            "row": note_row(note, user=request.user, now=timezone.now()),
            "partner_name": _partner_name(partner),
            "this_path": request.path,
        },
    )


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def acknowledge(request, note_id: int):
    note = selectors.note_get_for_member(user=request.user, note_id=note_id)
    reaction = request.POST.get("reaction", "")[:16]
    try:
        services.note_acknowledge(note=note, user=request.user, reaction=reaction or None)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        label = Reaction(reaction).label if reaction in Reaction.values else ""
        messages.success(
            request,
            gettext("Sent back: %(reaction)s.") % {"reaction": label}
            if label
            else gettext("Thanks for letting them know."),
        )
    return redirect(_back(request, reverse("gratitude-note", args=[note.pk])) + f"#note-{note.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, note_id: int):
    note = selectors.note_get_for_member(user=request.user, note_id=note_id)
    _couple, partner = _couple_and_partner(request.user)
    if request.method == "POST":
        try:
            services.note_delete(note=note, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("gratitude-note", note_id=note.pk)
        messages.success(request, gettext("Taken back. It was never delivered."))
        return redirect(reverse("gratitude") + "?box=sent")
    row = note_row(note, user=request.user, now=timezone.now())
    if not row["can_delete"]:
        return redirect("gratitude-note", note_id=note.pk)
    return render(request, "gratitude/delete.html", {"row": row, "partner_name": _partner_name(partner)})


@login_required
@require_POST
def nudge(request):
    couple_get_for_member(user=request.user)
    form = NudgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose one of the options for the nudge."))
    else:
        days = services.gratitude_nudge_set(user=request.user, days=form.cleaned_data["days"])
        if days:
            messages.success(
                request,
                ngettext(
                    "We'll nudge you if a day goes by without a note. Only you will know.",
                    "We'll nudge you if %(n)d days go by without a note. Only you will know.",
                    days,
                )
                % {"n": days},
            )
        else:
            messages.success(request, gettext("No nudges to write notes."))
    return redirect(reverse("gratitude") + "#nudge")


# --- the home card --------------------------------------------------------------------


def home_context(user, *, now: dt.datetime | None = None) -> dict:
    """Context for ``gratitude/_home_card.html``: the latest note received
    (delivered only), how many of the viewer's own notes are waiting to be
    delivered, and the partner's name. Empty for someone not paired."""
    couple = couple_for_user(user=user)
    if couple is None:
        return {"gratitude_card": False}
    now = now or timezone.now()
    partner = couple_partner_of(couple=couple, user=user)
    latest = selectors.LATEST_RECEIVED.first(user=user, couple=couple, now=now)
    waiting = selectors.WAITING_COUNT.first(user=user, couple=couple, now=now)
    return {
        "gratitude_card": True,
        "gratitude_latest": note_row(latest, user=user, now=now) if latest else None,
        "gratitude_waiting": waiting["n"] if waiting else 0,
        "gratitude_partner_name": _partner_name(partner),
    }
