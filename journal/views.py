"""Journal web pages: the list, writing, the guided trigger log, grounding,
patterns, entries shared with me and crisis resources. Server-rendered and
usable without JavaScript.

Views read only through ``selectors`` (which 404 for anyone but the
author) and write only through ``services``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from backend.errors import DomainError
from backend.forms import domain_error_to_form
from couples.selectors import couple_for_user, couple_partner_of

from . import charts, pattern_sections, selectors, services
from .models import INTENSITY_MAX, INTENSITY_MIN, MOOD_WORDS, Category, Entry, Kind

MOODS = list(MOOD_WORDS.items())
PAGE_SIZE = 10
GROUNDING_SECONDS = 120
BREATH_IN, BREATH_OUT = 4, 6


# --- helpers ---------------------------------------------------------------------------


def _partner_only(user: User) -> None:
    if user.role != User.Role.PARTNER:
        raise PermissionDenied("The journal is for partner accounts.")


def _partner(user: User) -> User | None:
    couple = couple_for_user(user=user)
    return couple_partner_of(couple=couple, user=user) if couple is not None else None


def _name(partner: User | None) -> str:
    return partner.display_name if partner is not None and partner.display_name else gettext("your partner")


def _own_entry(request, entry_id: int) -> Entry:
    entry = selectors.entry_get_for_author(user=request.user, entry_id=entry_id)
    selectors.entries_unseal([entry])
    return entry


def _intensity_choices():
    return [(i, str(i)) for i in range(INTENSITY_MIN, INTENSITY_MAX + 1)]


def _blank_to_none(value):
    return None if value in ("", None) else int(value)


def _tags_text(tags) -> str:
    return ", ".join(tags)


# --- forms -------------------------------------------------------------------------------


class EntryForm(forms.Form):
    text = forms.CharField(
        label=_("What's on your mind?"),
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 9}),
        error_messages={"required": _("Write a few words."), "max_length": _("Keep it to 10,000 characters or fewer.")},
    )
    mood = forms.TypedChoiceField(
        label=_("How are you feeling?"),
        choices=[("", pgettext_lazy("mood", "Leave out")), *MOODS],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the moods shown.")},
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("A few words to find it again, separated by commas. For example: sleep, work."),
        error_messages={"max_length": _("That's a lot of tags; keep a few short words.")},
    )

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class TriggerForm(forms.Form):
    text = forms.CharField(
        label=_("What happened?"),
        help_text=_("Just what happened, in a few words."),
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say in a few words what happened.")},
    )
    trigger_category = forms.ChoiceField(
        label=_("What kind of moment was it?"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what kind of moment it was."),
            "invalid_choice": _("Choose one of the kinds shown."),
        },
    )
    intensity_before = forms.TypedChoiceField(
        label=_("How strong is the feeling right now?"),
        help_text=_("0 is calm, 10 is the strongest it gets."),
        choices=_intensity_choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how strong it feels, from 0 to 10."),
            "invalid_choice": _("Choose a number from 0 to 10."),
        },
    )
    story = forms.CharField(
        label=_("The story I'm telling myself"),
        help_text=_("For example: “They've had enough of me.” Writing it down lets you look at it."),
        required=False,
        max_length=services.FIELD_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    need = forms.CharField(
        label=_("What I need"),
        help_text=_("For example: reassurance, rest, to feel close."),
        required=False,
        max_length=services.FIELD_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    can_do = forms.CharField(
        label=_("What I can do now"),
        help_text=_("One small thing within reach: a glass of water, a short walk, a message to a friend."),
        required=False,
        max_length=services.FIELD_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TriggerEditForm(TriggerForm):
    intensity_after = forms.TypedChoiceField(
        label=_("After breathing"),
        help_text=_("How strong it was after the breathing exercise, if you did it."),
        choices=[("", _("Not recorded")), *_intensity_choices()],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a number from 0 to 10.")},
    )


class AfterForm(forms.Form):
    intensity_after = forms.TypedChoiceField(
        label=_("How strong is the feeling now?"),
        choices=_intensity_choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how strong it feels now, from 0 to 10."),
            "invalid_choice": _("Choose a number from 0 to 10."),
        },
    )


def _form_values(form: forms.Form) -> dict:
    data = dict(form.cleaned_data)
    for name in ("text", "story", "need", "can_do"):
        if name in data:
            data[name] = data[name].strip()
    return data


# --- list, write, detail ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def journal_index(request):
    _partner_only(request.user)
    paginator = Paginator(selectors.entries_for_author(user=request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    entries = selectors.entries_unseal(page.object_list)
    return render(
        request,
        "journal/index.html",
        {"page": page, "entries": entries, "partner_name": _name(_partner(request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_write(request):
    _partner_only(request.user)
    form = EntryForm(request.POST or None, initial={"mood": ""})
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(author=request.user, kind=Kind.ENTRY, **_form_values(form))
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, gettext("Saved. Only you can read it."))
            return redirect("journal-entry", entry_id=entry.pk)
    return render(request, "journal/write.html", {"form": form, "editing": False})


@login_required
@require_http_methods(["GET", "POST"])
def trigger_write(request):
    _partner_only(request.user)
    form = TriggerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(author=request.user, kind=Kind.TRIGGER, **_form_values(form))
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            if request.POST.get("then") == "save":
                messages.success(request, gettext("Saved. Only you can read it."))
                return redirect("journal-entry", entry_id=entry.pk)
            return redirect("journal-ground", entry_id=entry.pk)
    return render(request, "journal/trigger.html", {"form": form, "editing": False})


@login_required
@require_http_methods(["GET"])
def entry_detail(request, entry_id: int):
    entry = _own_entry(request, entry_id)
    partner = _partner(request.user)
    return render(
        request,
        "journal/entry.html",
        {"entry": entry, "partner": partner, "partner_name": _name(partner)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, entry_id: int):
    entry = _own_entry(request, entry_id)
    if not entry.plain.readable:
        messages.error(request, gettext(services.UNREADABLE))
        return redirect("journal-entry", entry_id=entry.pk)
    trigger = entry.kind == Kind.TRIGGER
    if trigger:
        initial = {
            "text": entry.plain.text,
            "trigger_category": entry.trigger_category,
            "intensity_before": entry.intensity_before,
            "intensity_after": "" if entry.intensity_after is None else entry.intensity_after,
            "story": entry.plain.story,
            "need": entry.plain.need,
            "can_do": entry.plain.can_do,
        }
        form = TriggerEditForm(request.POST or None, initial=initial)
    else:
        initial = {"text": entry.plain.text, "mood": entry.mood or "", "tags": _tags_text(entry.plain.tags)}
        form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(entry=entry, author=request.user, changes=_form_values(form))
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, gettext("Changes saved."))
            return redirect("journal-entry", entry_id=entry.pk)
    template = "journal/trigger.html" if trigger else "journal/write.html"
    return render(request, template, {"form": form, "editing": True, "entry": entry})


@login_required
@require_http_methods(["GET", "POST"])
def entry_delete(request, entry_id: int):
    entry = _own_entry(request, entry_id)
    if request.method == "POST":
        services.entry_delete(entry=entry, author=request.user)
        messages.success(request, gettext("Deleted."))
        return redirect("journal")
    return render(request, "journal/delete.html", {"entry": entry, "partner_name": _name(_partner(request.user))})


# --- sharing ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def entry_share(request, entry_id: int):
    entry = _own_entry(request, entry_id)
    partner = _partner(request.user)
    if request.method == "POST":
        try:
            services.entry_share(entry=entry, author=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, gettext("Shared with %(name)s. You can stop sharing at any time.") % {"name": _name(partner)}
            )
        return redirect("journal-entry", entry_id=entry.pk)
    return render(request, "journal/share.html", {"entry": entry, "partner": partner, "partner_name": _name(partner)})


@login_required
@require_POST
def entry_unshare(request, entry_id: int):
    entry = _own_entry(request, entry_id)
    services.entry_unshare(entry=entry, author=request.user)
    messages.success(request, gettext("Not shared any more. Only you can read it now."))
    return redirect("journal-entry", entry_id=entry.pk)


@login_required
@require_http_methods(["GET"])
def shared_with_me(request):
    _partner_only(request.user)
    partner = _partner(request.user)
    paginator = Paginator(selectors.entries_shared_with(user=request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "journal/shared.html",
        {
            "page": page,
            "entries": selectors.entries_unseal(page.object_list),
            "partner": partner,
            "partner_name": _name(partner),
        },
    )


# --- grounding -------------------------------------------------------------------------------------


def _breather() -> dict:
    return {"seconds": GROUNDING_SECONDS, "breath_in": BREATH_IN, "breath_out": BREATH_OUT}


@login_required
@require_http_methods(["GET"])
def breathe(request):
    _partner_only(request.user)
    return render(request, "journal/ground.html", {"breather": _breather(), "entry": None})


@login_required
@require_http_methods(["GET", "POST"])
def entry_ground(request, entry_id: int):
    entry = _own_entry(request, entry_id)
    if entry.kind != Kind.TRIGGER:
        return redirect("journal-breathe")
    form = AfterForm(request.POST or None, initial={"intensity_after": entry.intensity_after})
    if request.method == "POST" and form.is_valid():
        after = form.cleaned_data["intensity_after"]
        try:
            services.entry_update(entry=entry, author=request.user, changes={"intensity_after": after})
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, after_words(entry.intensity_before, after))
            return redirect("journal-entry", entry_id=entry.pk)
    after_hint = gettext("Before, you said %(before)d. 0 is calm, 10 is the strongest it gets.") % {
        "before": entry.intensity_before
    }
    return render(
        request,
        "journal/ground.html",
        {"breather": _breather(), "entry": entry, "form": form, "after_hint": after_hint},
    )


def after_words(before: int | None, after: int) -> str:
    """Plain words about the change, never a verdict on the person."""
    if before is None:
        return gettext("Saved: %(after)d out of 10 now.") % {"after": after}
    if after < before:
        return gettext("Saved. It went from %(before)d to %(after)d.") % {"before": before, "after": after}
    if after == before:
        return gettext("Saved: still %(after)d. Some waves take longer to pass, and that's okay.") % {"after": after}
    return gettext("Saved: %(after)d now. If it keeps rising, the help page has people you can reach.") % {
        "after": after
    }


# --- patterns ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def patterns(request):
    _partner_only(request.user)
    data = selectors.patterns_for_author(user=request.user)
    return render(
        request,
        "journal/patterns.html",
        {"p": data, **charts.pattern_charts(data), "pattern_sections": pattern_sections.sections_for(request.user)},
    )


# --- crisis resources -------------------------------------------------------------------------------


@require_http_methods(["GET"])
def help_now(request):
    # Open to everyone, signed in or not: nobody should have to log in to
    # find a crisis line.
    return render(request, "journal/help.html")


# --- the couple home page's card ------------------------------------------------------------------------


def home_context(user) -> dict:
    """Context for ``journal/_home_card.html``: a quiet way in to one's own
    journal. It depends on nobody's entries — no counts, no dates, no
    "shared with you" — so the card looks the same whatever either partner
    wrote or shared (and costs no query)."""
    show = bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) == User.Role.PARTNER
    return {"journal_card": show}
