"""The daily question on the web: today's question (answer, change until
the reveal, then both answers), the history, and the themes page (themes to
skip and the opt-in reminder). Server-rendered and usable without
JavaScript. Reads through ``selectors`` (``answers_for`` decides what of the
partner shows), writes through ``services``."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backend.errors import DomainError
from backend.localtime import local_date
from backend.prepared import PreparedRows
from couples.models import Couple
from couples.selectors import couple_for_user, couple_get_for_member, couple_partner_of

from . import library, selectors, services
from .models import ANSWER_MAX, DailyAnswer, DailyQuestion

PAGE_SIZE = 10


def _partner_name(user) -> str:
    partner = couple_partner_of(couple=couple_get_for_member(user=user), user=user)
    return partner.display_name if partner is not None and partner.display_name else gettext("your partner")


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        strip=True,
        max_length=ANSWER_MAX,
        error_messages={
            "required": _("Write a few words first."),
            "max_length": _("Keep it under %(limit_value)d characters."),
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _row(question: DailyQuestion, user) -> dict:
    mine, partner = selectors.answers_for(question=question, user=user)
    return {
        "question": question,
        "theme_label": library.theme_label(question.theme),
        "mine": mine,
        "partner": partner,
        "revealed": question.revealed_at is not None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def today(request):
    couple = couple_get_for_member(user=request.user)
    question = services.daily_question_for(couple=couple)
    row = _row(question, request.user)
    editing = request.method == "POST" or request.GET.get("edit") == "1" or row["mine"] is None
    form = AnswerForm(request.POST or None, initial={"text": row["mine"] or ""})
    if request.method == "POST" and form.is_valid():
        try:
            question = services.daily_answer_submit(
                user=request.user, question_id=question.pk, text=form.cleaned_data["text"]
            )
        except DomainError as exc:
            if exc.status_code == 409:
                messages.info(request, exc.message)
                return redirect("daily")
            form.add_error("text" if exc.field == "text" else None, exc.message)
        else:
            if question.revealed_at is not None:
                messages.success(request, gettext("You've both answered. Here are both answers."))
            else:
                messages.success(
                    request, gettext("Saved. You'll both see each other's answers once you've both answered.")
                )
            return redirect("daily")
    return render(
        request,
        "daily/today.html",
        {
            "row": row,
            "form": form,
            "editing": editing and not row["revealed"],
            "partner_name": _partner_name(request.user),
            "answer_max": ANSWER_MAX,
        },
    )


@login_required
@require_http_methods(["GET"])
def history(request):
    couple = couple_get_for_member(user=request.user)
    today_ = local_date(instant=timezone.now(), tz=couple.timezone)
    page = Paginator(selectors.history_for_member(user=request.user, before=today_), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "daily/history.html",
        {
            "page": page,
            "rows": [_row(q, request.user) for q in page.object_list],
            "partner_name": _partner_name(request.user),
        },
    )


REMINDER_CHOICES = [("", pgettext_lazy("reminder", "Off"))] + [(f"{h:02d}:00", f"{h:02d}:00") for h in range(7, 23)]


class ThemesForm(forms.Form):
    skip = forms.MultipleChoiceField(
        label=_("Themes to skip"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only your own choice. Your couple's questions leave out what either of you skips."),
    )
    reminder = forms.ChoiceField(
        label=_("A daily reminder"),
        choices=REMINDER_CHOICES,
        required=False,
        help_text=_(
            "Off unless you turn it on. Only to you, only if you haven't answered yet, never in your quiet hours."
        ),
        error_messages={"invalid_choice": _("Choose one of the times, or off.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skip"].choices = [(key, library.shown(label)) for key, label in library.themes().items()]


@login_required
@require_http_methods(["GET", "POST"])
def themes(request):
    couple_get_for_member(user=request.user)
    time = services.reminder_time_for(request.user)
    current_skip = selectors.skip_themes_of(user=request.user)
    form = ThemesForm(
        request.POST or None,
        initial={"skip": current_skip, "reminder": time.strftime("%H:%M") if time else ""},
    )
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["reminder"]
        reminder_time = dt.time.fromisoformat(raw) if raw else None
        try:
            services.daily_preferences_update(
                user=request.user, data={"skip_themes": form.cleaned_data["skip"], "reminder_time": reminder_time}
            )
        except DomainError as exc:
            for field, errors in (exc.errors or {}).items():
                form.add_error({"skip_themes": "skip", "reminder_time": "reminder"}.get(field), errors)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Saved. Your partner isn't told what you changed."))
            return redirect("daily-themes")
    return render(request, "daily/themes.html", {"form": form, "themes": library.themes()})


def _todays_question(*, user, couple, day: dt.date):
    return (
        DailyQuestion.objects.filter(couple=couple, date=day)
        .annotate(answered=Exists(DailyAnswer.objects.filter(question=OuterRef("pk"), author=user)))
        .only("id", "text", "theme", "revealed_at")[:1]
    )


# The card's read, prepared (backend.prepared): the couple's local day is a
# value, filled in on every run.
TODAYS_QUESTION = PreparedRows(_todays_question, objects={"user": None, "couple": Couple}, day=True)


def home_context(user, *, now: dt.datetime | None = None) -> dict:
    """Context for ``daily/_home_card.html``: today's question if either
    partner already opened it, and whether the viewer answered. One query;
    it reads and never makes the day's question (the daily page does)."""
    couple = couple_for_user(user=user)
    if couple is None:
        return {"daily_card": False}
    day = local_date(instant=now or timezone.now(), tz=couple.timezone)
    question = TODAYS_QUESTION.first(user=user, couple=couple, day=day)
    return {
        "daily_card": True,
        "daily_question": question,
        "daily_theme_label": library.theme_label(question.theme) if question else "",
    }
