"""Agreement web pages: the list, propose, review the exact wording and
accept or amend it (with what changed), decline, retire, the versions, and
reflections with follow-through shown side by side. Server-rendered and
usable without JavaScript.

Views read only through ``selectors`` (404 outside the couple;
``reflection_periods_for`` alone decides when a partner's reflection may be
shown) and write only through ``services``.
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import Conflict, DomainError, Invalid
from backend.forms import domain_error_to_form
from couples.selectors import couple_for_user, couple_get_for_member, couple_partner_of

from . import display, selectors, services
from .models import DETAILS_MAX, NOTE_MAX, REASON_MAX, TITLE_MAX, Agreement, Category, Reflection
from .periods import review_at

REFLECTIONS_PAGE_SIZE = 12
RETIRED_SHOWN = 50


# --- small helpers ----------------------------------------------------------------------


def _partner_name(partner) -> str:
    return partner.display_name if partner is not None and partner.display_name else gettext("your partner")


def _cap(text: str) -> str:
    # Not str.capitalize(), which would turn "McKenzie" into "Mckenzie".
    return text[:1].upper() + text[1:]


def _couple_and_partner(user):
    couple = couple_get_for_member(user=user)
    return couple, couple_partner_of(couple=couple, user=user)


def _who(user_id: int | None, *, user, partner) -> str:
    if user_id == user.pk:
        return gettext("you")
    if partner is not None and user_id == partner.pk:
        return _partner_name(partner)
    return gettext("a former partner")


def _version_from(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


CHANGED_WHILE_READING = _("The wording changed while you were reading. This is the latest; please read it again.")


def _conflict_words(user, agreement_id: int, version: int | None, exc: Conflict) -> str:
    fresh = selectors.agreement_get_for_member(user=user, agreement_id=agreement_id)
    if fresh.status == Agreement.Status.PROPOSED and fresh.version != version:
        return CHANGED_WHILE_READING
    return exc.message


def _row(agreement: Agreement, *, user, partner) -> dict:
    """An agreement's state in words, from the viewer's side."""
    version = agreement.current
    name = _partner_name(partner)
    mine = version.proposed_by_id == user.pk
    status = agreement.status
    note = ""
    if status == Agreement.Status.PROPOSED:
        if mine:
            section, words = "waiting_for_partner", gettext("Waiting for %(name)s") % {"name": name}
            note = gettext("Nothing is agreed until %(name)s accepts these exact words.") % {"name": name}
        else:
            section = "waiting_for_you"
            who = _cap(_who(version.proposed_by_id, user=user, partner=partner))
            words = (
                gettext("%(name)s proposed this") % {"name": who}
                if agreement.version == 1
                else gettext("%(name)s suggested a change") % {"name": who}
            )
    elif status == Agreement.Status.ACTIVE:
        section, words = "active", gettext("Agreed by you both")
    elif status == Agreement.Status.DECLINED:
        section = "declined"
        who = _who(version.declined_by_id, user=user, partner=partner)
        words = (
            gettext("Withdrawn")
            if version.declined_by_id == version.proposed_by_id
            else gettext("Declined by you")
            if version.declined_by_id == user.pk
            else gettext("Declined by %(name)s") % {"name": who}
        )
    else:
        section = "retired"
        words = (
            gettext("Retired by you")
            if agreement.retired_by_id == user.pk
            else gettext("Retired by %(name)s") % {"name": _who(agreement.retired_by_id, user=user, partner=partner)}
        )
    return {
        "agreement": agreement,
        "v": version,
        "section": section,
        "status_words": _cap(words),
        "status_note": note,
        "mine": mine,
        "can_accept": status == Agreement.Status.PROPOSED and version.proposed_by_id not in (None, user.pk),
        "interval": display.interval_text(version.review_every_days),
    }


# --- forms ----------------------------------------------------------------------------------


class AgreementForm(forms.Form):
    title = forms.CharField(
        label=_("In a few words"),
        max_length=TITLE_MAX,
        help_text=_("Like “Phones away at dinner” or “A text if I'll be late”."),
        error_messages={
            "required": _("Give the agreement a short title."),
            "max_length": lazy(
                lambda: (
                    ngettext(
                        "Keep the title under %(n)d character.", "Keep the title under %(n)d characters.", TITLE_MAX
                    )
                    % {"n": TITLE_MAX}
                ),
                str,
            )(),
        },
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "autocomplete": "off"}),
    )
    details = forms.CharField(
        label=_("What exactly you both agree to"),
        required=False,
        max_length=DETAILS_MAX,
        help_text=_(
            "When it applies, what each of you does, and any exceptions. Your partner accepts these exact words."
        ),
        error_messages={
            "max_length": lazy(
                lambda: (
                    ngettext(
                        "Keep the details under %(n)d character.",
                        "Keep the details under %(n)d characters.",
                        DETAILS_MAX,
                    )
                    % {"n": DETAILS_MAX}
                ),
                str,
            )()
        },
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DETAILS_MAX}),
    )
    category = forms.ChoiceField(
        label=_("What it's about"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what it's about."), "invalid_choice": _("Choose one of the categories.")},
    )
    review_every_days = forms.TypedChoiceField(
        label=_("Look at it together"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("You'll both get a gentle reminder when it's time, and can say how it went."),
        error_messages={"invalid_choice": _("Choose one of the review intervals.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, current_interval: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_every_days"].choices = display.review_choices(current_interval)

    def category_options(self) -> list[dict]:
        chosen = str(self["category"].value() or "")
        return [
            {"value": value, "label": label, "checked": value == chosen, "id": f"id_category_{i}"}
            for i, (value, label) in enumerate(Category.choices)
        ]

    def wording(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.WORDING_FIELDS}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX,
        error_messages={
            "max_length": lazy(
                lambda: (
                    ngettext("Keep it under %(n)d character.", "Keep it under %(n)d characters.", REASON_MAX)
                    % {"n": REASON_MAX}
                ),
                str,
            )()
        },
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, label: str, hint: str, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label, field.help_text, field.required = label, hint, required
        field.error_messages["required"] = gettext("Say why in a few words; your partner will read it.")


class ReflectForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it go?"),
        choices=Reflection.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose kept, partly or missed."),
            "invalid_choice": _("Choose kept, partly or missed."),
        },
    )
    note = forms.CharField(
        label=_("A note"),
        required=False,
        max_length=NOTE_MAX,
        help_text=_("What helped, or what got in the way. Shown to you both once you've both reflected."),
        error_messages={
            "max_length": lazy(
                lambda: (
                    ngettext("Keep the note under %(n)d character.", "Keep the note under %(n)d characters.", NOTE_MAX)
                    % {"n": NOTE_MAX}
                ),
                str,
            )()
        },
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )

    def outcome_options(self) -> list[dict]:
        chosen = str(self["outcome"].value() or "")
        return [
            {"value": v, "label": label, "hint": hint, "checked": v == chosen, "id": f"id_outcome_{i}"}
            for i, (v, (label, hint)) in enumerate(display.OUTCOME_WORDS.items())
        ]


# --- list and propose --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def agreements_index(request):
    _couple, partner = _couple_and_partner(request.user)
    sections: dict[str, list] = {
        "waiting_for_you": [],
        "active": [],
        "waiting_for_partner": [],
        "declined": [],
        "retired": [],
    }
    for agreement in selectors.agreements_for_member(user=request.user):
        row = _row(agreement, user=request.user, partner=partner)
        sections[row["section"]].append(row)
    sections["retired"] = sections["retired"][:RETIRED_SHOWN]
    return render(
        request,
        "agreements/index.html",
        {
            **sections,
            "partner_name": _partner_name(partner),
            "any": any(sections.values()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request):
    couple, partner = _couple_and_partner(request.user)
    form = AgreementForm(request.POST if request.method == "POST" else None, initial={"review_every_days": ""})
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_propose(couple=couple, user=request.user, **form.wording())
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(
                request,
                gettext("Proposed. %(name)s can read it and accept it.") % {"name": _cap(_partner_name(partner))},
            )
            return redirect("agreement", agreement_id=agreement.pk)
    return render(request, "agreements/form.html", {"form": form, "partner_name": _partner_name(partner)})


# --- one agreement --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def agreement_detail(request, agreement_id: int):
    agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
    _couple, partner = _couple_and_partner(request.user)
    row = _row(agreement, user=request.user, partner=partner)
    context = {"row": row, "agreement": agreement, "partner_name": _partner_name(partner), "changes": []}
    if agreement.status == Agreement.Status.PROPOSED and agreement.version > 1:
        previous = selectors.agreement_versions(agreement=agreement).filter(number=agreement.version - 1).first()
        context["changes"] = display.changes_between(previous, agreement.current)
    if agreement.status == Agreement.Status.ACTIVE:
        period = selectors.agreement_current_period(agreement=agreement)
        context["period"] = period
        context["period_text"] = display.period_text(period.start, period.end)
        context["reflection"] = selectors.reflection_period_for(agreement=agreement, user=request.user, period=period)
        if agreement.current.review_every_days:
            context["next_review"] = review_at(period.end, agreement.couple.timezone)
    context["accepted_by"] = _who(agreement.current.accepted_by_id, user=request.user, partner=partner)
    context["proposed_by"] = _who(agreement.current.proposed_by_id, user=request.user, partner=partner)
    context["declined_by"] = _who(agreement.current.declined_by_id, user=request.user, partner=partner)
    context["retired_by"] = _who(agreement.retired_by_id, user=request.user, partner=partner)
    return render(request, "agreements/detail.html", context)


@login_required
@require_POST
def agreement_accept(request, agreement_id: int):
    agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
    version = _version_from(request.POST.get("version", ""))
    try:
        if version is None:
            raise Invalid(gettext("Something was missing; please read it and accept again."))
        services.agreement_accept(agreement=agreement, user=request.user, version=version)
    except Conflict as exc:
        messages.error(request, _conflict_words(request.user, agreement.pk, version, exc))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Agreed. It's active for both of you now."))
    return redirect("agreement", agreement_id=agreement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_amend(request, agreement_id: int):
    agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
    _couple, partner = _couple_and_partner(request.user)
    if agreement.status == Agreement.Status.RETIRED:
        messages.info(request, gettext("This agreement was retired. You can propose a new one."))
        return redirect("agreement", agreement_id=agreement.pk)
    current = agreement.current
    initial = {
        "title": current.title,
        "details": current.details,
        "category": current.category,
        "review_every_days": current.review_every_days or "",
        "version": agreement.version,
    }
    form = AgreementForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        current_interval=current.review_every_days,
    )
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        try:
            services.agreement_amend(agreement=agreement, user=request.user, version=version, changes=form.wording())
        except Conflict as exc:
            agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement.pk)
            if agreement.status == Agreement.Status.RETIRED:
                messages.info(request, exc.message)
                return redirect("agreement", agreement_id=agreement.pk)
            # Someone changed it meanwhile: keep what this person wrote, show
            # the new current wording above it, and let them send it again.
            form = AgreementForm(
                {**request.POST.dict(), "version": agreement.version},
                initial=initial,
                current_interval=agreement.current.review_every_days,
            )
            form.is_valid()
            form.add_error(
                None,
                gettext(
                    "%(name)s changed the wording while you were writing. "
                    "Their version is shown above; send yours again if you still want this change."
                )
                % {"name": _cap(_partner_name(partner))},
            )
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(
                request,
                gettext("Sent as a new version. %(name)s can read it and accept it.")
                % {"name": _cap(_partner_name(partner))},
            )
            return redirect("agreement", agreement_id=agreement.pk)
    row = _row(agreement, user=request.user, partner=partner)
    return render(
        request,
        "agreements/form.html",
        {"form": form, "row": row, "agreement": agreement, "partner_name": _partner_name(partner), "amending": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_decline(request, agreement_id: int):
    agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
    _couple, partner = _couple_and_partner(request.user)
    if agreement.status != Agreement.Status.PROPOSED:
        return redirect("agreement", agreement_id=agreement.pk)
    withdrawing = agreement.current.proposed_by_id == request.user.pk
    name = _partner_name(partner)
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        initial={"version": agreement.version},
        label=gettext("Why, if you'd like to say") if withdrawing else gettext("What doesn't work for you"),
        hint=gettext("%(name)s will see this.") % {"name": _cap(name)}
        if withdrawing
        else gettext("%(name)s will see this, with the wording you declined.") % {"name": _cap(name)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_decline(
                agreement=agreement,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data.get("version") or 0,
            )
        except Conflict as exc:
            messages.error(request, _conflict_words(request.user, agreement.pk, form.cleaned_data.get("version"), exc))
            return redirect("agreement", agreement_id=agreement.pk)
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(
                request,
                gettext("Withdrawn.")
                if withdrawing
                else gettext("Declined. %(name)s can see why, and either of you can suggest new wording.")
                % {"name": _cap(name)},
            )
            return redirect("agreement", agreement_id=agreement.pk)
    return render(
        request,
        "agreements/decline.html",
        {
            "form": form,
            "agreement": agreement,
            "row": _row(agreement, user=request.user, partner=partner),
            "withdrawing": withdrawing,
            "partner_name": name,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_retire(request, agreement_id: int):
    agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
    _couple, partner = _couple_and_partner(request.user)
    if agreement.status not in (Agreement.Status.ACTIVE, Agreement.Status.DECLINED):
        return redirect("agreement", agreement_id=agreement.pk)
    name = _partner_name(partner)
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label=gettext("Why you're retiring it"),
        hint=gettext("%(name)s will see this. A few honest words are enough.") % {"name": _cap(name)},
        required=agreement.status == Agreement.Status.ACTIVE,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_retire(agreement=agreement, user=request.user, reason=form.cleaned_data["reason"])
        except Conflict as exc:
            messages.info(request, exc.message)
            return redirect("agreement", agreement_id=agreement.pk)
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            messages.success(request, gettext("Retired. %(name)s can see it, and why.") % {"name": _cap(name)})
            return redirect("agreement", agreement_id=agreement.pk)
    return render(
        request,
        "agreements/retire.html",
        {
            "form": form,
            "agreement": agreement,
            "row": _row(agreement, user=request.user, partner=partner),
            "partner_name": name,
        },
    )


@login_required
@require_http_methods(["GET"])
def agreement_versions(request, agreement_id: int):
    agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
    _couple, partner = _couple_and_partner(request.user)
    versions = list(selectors.agreement_versions(agreement=agreement))  # newest first
    items = []
    for i, v in enumerate(versions):
        previous = versions[i + 1] if i + 1 < len(versions) else None
        items.append(
            {
                "v": v,
                "current": v.number == agreement.version,
                "changes": display.changes_between(previous, v),
                "interval": display.interval_text(v.review_every_days),
                "proposed_by": _who(v.proposed_by_id, user=request.user, partner=partner),
                "accepted_by": _who(v.accepted_by_id, user=request.user, partner=partner),
                "declined_by": _who(v.declined_by_id, user=request.user, partner=partner),
            }
        )
    return render(
        request,
        "agreements/versions.html",
        {
            "agreement": agreement,
            "row": _row(agreement, user=request.user, partner=partner),
            "items": items,
            "retired_by": _who(agreement.retired_by_id, user=request.user, partner=partner),
            "partner_name": _partner_name(partner),
        },
    )


# --- reflections ------------------------------------------------------------------------------


def _pair(period: selectors.ReflectionPeriod) -> dict:
    def side(r):
        if r is None:
            return None
        label, _hint = display.OUTCOME_WORDS.get(r.outcome, (r.outcome, ""))
        return {"outcome": r.outcome, "label": label, "note": r.note}

    return {
        "start": period.start,
        "end": period.end,
        "text": display.period_text(period.start, period.end),
        "revealed": period.revealed_at is not None,
        "mine": side(period.mine),
        "theirs": side(period.partner),
    }


@login_required
@require_http_methods(["GET", "POST"])
def agreement_reflect(request, agreement_id: int):
    agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
    _couple, partner = _couple_and_partner(request.user)
    if agreement.status != Agreement.Status.ACTIVE:
        messages.info(request, gettext("Only an agreement you've both accepted can be reflected on."))
        return redirect("agreement", agreement_id=agreement.pk)
    period = selectors.agreement_current_period(agreement=agreement)
    current = selectors.reflection_period_for(agreement=agreement, user=request.user, period=period)
    initial = {"outcome": current.mine.outcome, "note": current.mine.note} if current.mine else None
    form = ReflectForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and current.revealed_at is None and form.is_valid():
        try:
            reflection, _created = services.reflection_submit(
                agreement=agreement,
                author=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except Conflict as exc:
            messages.info(request, exc.message)
        except DomainError as exc:
            domain_error_to_form(form, exc)
            return _render_reflect(request, agreement, partner, period, current, form)
        else:
            # The page itself says what happens next (waiting, or both shown).
            messages.success(request, gettext("Saved."))
        return redirect("agreement-reflect", agreement_id=agreement.pk)
    return _render_reflect(request, agreement, partner, period, current, form)


def _render_reflect(request, agreement, partner, period, current, form):
    return render(
        request,
        "agreements/reflect.html",
        {
            "agreement": agreement,
            "row": _row(agreement, user=request.user, partner=partner),
            "form": form,
            "pair": _pair(current),
            "period_text": display.period_text(period.start, period.end),
            "partner_name": _partner_name(partner),
        },
    )


@login_required
@require_http_methods(["GET"])
def agreement_reflections(request, agreement_id: int):
    agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
    _couple, partner = _couple_and_partner(request.user)
    paginator = Paginator(selectors.my_reflections(agreement=agreement, user=request.user), REFLECTIONS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    periods = selectors.reflection_periods_for(agreement=agreement, user=request.user, mine=list(page.object_list))
    follow = selectors.agreement_followthrough(agreement=agreement, viewer=request.user)
    timeline = [
        {
            "text": display.period_text(p["start"], p["end"]),
            "both_kept": p["both_kept"],
            "outcomes": [
                {"who": gettext("You"), "outcome": o["outcome"], "label": display.OUTCOME_WORDS[o["outcome"]][0]}
                for o in p["outcomes"]
                if o["outcome"]
            ],
        }
        for p in follow["periods"]
    ]
    current = selectors.agreement_current_period(agreement=agreement)
    current_revealed = (
        current is not None
        and selectors.reflection_period_for(agreement=agreement, user=request.user, period=current).revealed_at
        is not None
    )
    return render(
        request,
        "agreements/reflections.html",
        {
            "current_revealed": current_revealed,
            "agreement": agreement,
            "row": _row(agreement, user=request.user, partner=partner),
            "page": page,
            "pairs": [_pair(p) for p in periods],
            "mine": follow["partners"][0],
            "together": follow["together"],
            "timeline": timeline,
            "partner_name": _partner_name(partner),
        },
    )


# --- the couple home page's card ---------------------------------------------------------------


def home_context(user, *, now: dt.datetime | None = None) -> dict:
    """Context for ``agreements/_home_card.html``: proposals waiting for the
    viewer, how many agreements are active, and how many of those the viewer
    has not reflected on this period (their own state only; nothing about
    the partner's). Empty for someone who is not paired. Three queries."""
    couple = couple_for_user(user=user)
    if couple is None:
        return {"agreements_card": False}
    now = now or timezone.now()
    partner = couple_partner_of(couple=couple, user=user)
    waiting, active = [], []
    for agreement in selectors.AGREEMENTS_FOR_CARD.rows(couple=couple):
        if agreement.status == Agreement.Status.ACTIVE:
            active.append(agreement)
        elif agreement.current.proposed_by_id not in (None, user.pk):
            waiting.append(_row(agreement, user=user, partner=partner))
    starts = {a.pk: selectors.agreement_current_period(agreement=a, now=now).start for a in active}
    reflected = set()
    if starts:  # no active agreement: nothing to ask (and no query, as before)
        since = selectors.MY_REFLECTIONS_SINCE.rows(user=user, couple=couple, day=min(starts.values()))
        reflected = {(r["agreement_id"], r["period_start"]) for r in since}
    to_reflect = [a for a in active if (a.pk, starts[a.pk]) not in reflected]
    return {
        "agreements_card": True,
        "agreements_waiting": waiting[:3],
        "agreements_waiting_more": max(len(waiting) - 3, 0),
        "agreements_active_count": len(active),
        "agreements_to_reflect": to_reflect[:3],
        "agreements_to_reflect_count": len(to_reflect),
        "agreements_partner_name": _partner_name(partner),
    }
