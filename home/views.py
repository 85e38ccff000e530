"""The couple's home page: one card per feature, each feature giving its
own card's context (``<app>.views.home_context``)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from agreements.views import home_context as agreements_home
from checkins.views import home_context as checkins_home
from checkins.views import my_answer_rows
from couples import selectors as couples_selectors
from gratitude.views import home_context as gratitude_home
from journal.views import home_context as journal_home
from repair.views import home_context as repair_home
from space.views import home_context as space_home
from therapists.views import home_context as therapists_home

from .selectors import HISTORY_PAGE_SIZE, HISTORY_SECTIONS, ended_couple_history


@login_required
def home(request):
    couple, partners = couples_selectors.member_couple_and_partners(user=request.user)
    if couple is None:
        if request.user.is_therapist:
            return redirect("therapist-home")
        if couples_selectors.had_couple(user=request.user):
            return redirect("couple-ended")
        return redirect("pair")
    partner = next((p for p in partners if p.pk != request.user.pk), None)
    context = {"couple": couple, "partner": partner}
    # Each feature contributes its own card's context (keys are prefixed by
    # the feature, so they never collide). The cards and the template ask for
    # the couple again and again: one lookup, above, answers them all.
    with couples_selectors.couple_known(user=request.user, couple=couple, partners=partners):
        for home_context in _home_contexts():
            context.update(home_context(request.user))
        return render(request, "home/home.html", context)


def _home_contexts():
    # The order of the cards on the page.
    return [space_home, repair_home, checkins_home, gratitude_home, agreements_home, journal_home, therapists_home]


@login_required
def more(request):
    """The "More" tab: every part of Steady that is not a tab of its own."""
    couple, _partners = couples_selectors.member_couple_and_partners(user=request.user)
    if couple is None:
        if request.user.is_therapist:
            return redirect("therapist-home")
        return redirect("pair")
    return render(request, "home/more.html", {"couple": couple})


@login_required
@require_GET
def couple_history(request, couple_id: int):
    """What a former partner wrote in an ended couple, read-only, a section
    at a time; 404 for anyone who was not in it (and for a couple still
    going: its own pages show it)."""
    if request.user.is_therapist:
        raise Http404
    section = request.GET.get("section", "checkins")
    if section not in HISTORY_SECTIONS:
        section = "checkins"
    history = ended_couple_history(user=request.user, couple_id=couple_id, section=section)
    page = Paginator(history["rows"], HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    if section == "checkins":
        items = [{"answer": a, "rows": my_answer_rows(a.checkin.steps, a.values)} for a in items]
    others = [m for m in couples_selectors.former_memberships(user=request.user) if m.couple_id != couple_id]
    return render(
        request,
        "home/couple_history.html",
        {
            "membership": history["membership"],
            "section": section,
            "sections": [(key, HISTORY_LABELS[key]) for key in HISTORY_SECTIONS],
            "page": page,
            "items": items,
            "others": others,
        },
    )


HISTORY_LABELS = {"checkins": "Check-ins", "notes": "Notes", "agreements": "Agreements"}
