"""The check-up page: fill in the open round privately (a draft, or sent),
see the last round both sent, revealed together, and each partner's trend
side by side. Reads through ``selectors`` (the partner's answers only after
the reveal), writes through ``services``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import DomainError
from backend.forms import domain_error_to_form
from couples.selectors import couple_get_for_member, couple_partner_of

from . import selectors, services
from .display import progress_charts
from .instruments import instrument_builtin
from .models import Instrument


class CheckupForm(forms.Form):
    """One radio question per item of the instrument. Not required here: a
    draft may be partial; sending asks for every item (the service says
    which are missing)."""

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        anchors = {int(k): gettext(v) for k, v in (instrument.anchors or {}).items()}
        choices = [(str(v), str(v)) for v in range(instrument.scale_min, instrument.scale_max + 1)]
        for item in instrument.items:
            self.fields[item["key"]] = forms.ChoiceField(
                label=gettext(item["text"]), choices=choices, required=False, widget=forms.RadioSelect
            )
        self.low = anchors.get(instrument.scale_min, "")
        self.high = anchors.get(instrument.scale_max, "")

    def values(self) -> dict:
        return {k: int(v) for k, v in self.cleaned_data.items() if v not in ("", None)}


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    user = request.user
    couple = couple_get_for_member(user=user)
    partner = couple_partner_of(couple=couple, user=user)
    now = timezone.now()
    upcoming = selectors.round_next_for_member(user=user)
    open_round = upcoming if upcoming is not None and upcoming.opens_at <= now else None
    instrument = open_round.instrument if open_round else instrument_builtin()
    mine = None
    if open_round is not None:
        mine = selectors.round_view_for(round_=open_round, user=user, now=now)["mine"]
    initial = {k: str(v) for k, v in (mine or {}).get("values", {}).items()}
    form = CheckupForm(request.POST or None, instrument=instrument, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") != "draft"
        try:
            services.checkup_answer_save(
                couple=couple, user=user, instrument=instrument.key, answers=form.values(), submit=submit
            )
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(
                request,
                gettext("Sent. You will both see both answers once each of you has sent theirs.")
                if submit
                else gettext("Saved for later. A draft is yours only; it counts once you send it."),
            )
            return redirect("checkups")
    revealed = next(
        (r for r in selectors.rounds_for_member(user=user, now=now)[:5] if r.revealed_at is not None),
        None,
    )
    last = selectors.round_view_for(round_=revealed, user=user, now=now) if revealed else None
    items = [
        {
            "text": gettext(item["text"]),
            "mine": last["mine"]["values"].get(item["key"]) if last and last["mine"] else None,
            "partner": last["partner"]["values"].get(item["key"]) if last and last["partner"] else None,
        }
        for item in (revealed.instrument.items if revealed else [])
    ]
    progress = selectors.progress_for_couple(couple=couple)
    context = {
        "form": form,
        "instrument": instrument,
        "open_round": open_round,
        "scheduled": upcoming if upcoming is not None and open_round is None else None,
        "mine": mine,
        "sent": bool(mine and not mine["draft"]),
        "partner": partner,
        "last": last,
        "last_items": items,
        "people": progress_charts(progress, tz=user.tzinfo),
        "score_max": instrument.score_max,
        "cadence_weeks": services.cadence_weeks(couple.pk),
        "cadence_choices": [
            (1, gettext("Every week")),
            (2, gettext("Every two weeks")),
            (4, gettext("Every four weeks")),
        ],
    }
    return render(request, "checkups/index.html", context)


@login_required
@require_POST
def cadence(request):
    """Either partner sets how often the check-up comes (1, 2 or 4 weeks)."""
    couple = couple_get_for_member(user=request.user)
    try:
        weeks = int(request.POST.get("weeks", ""))
    except ValueError:
        weeks = 0
    try:
        services.checkup_cadence_set(couple=couple, weeks=weeks, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Saved. The next round follows the new rhythm."))
    return redirect("checkups")
