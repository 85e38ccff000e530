"""The couple's home page: one card per feature, each feature giving its
own card's context (``<app>.views.home_context``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from agreements.views import home_context as agreements_home
from checkins.views import home_context as checkins_home
from couples import selectors as couples_selectors
from daily.views import home_context as daily_home
from gratitude.views import home_context as gratitude_home
from journal.views import home_context as journal_home
from repair.views import home_context as repair_home
from space.views import home_context as space_home
from therapists.views import home_context as therapists_home


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
    return [
        space_home,
        repair_home,
        checkins_home,
        daily_home,
        gratitude_home,
        agreements_home,
        journal_home,
        therapists_home,
    ]


@login_required
def more(request):
    """The "More" tab: every part of Steady that is not a tab of its own."""
    couple, _partners = couples_selectors.member_couple_and_partners(user=request.user)
    if couple is None:
        if request.user.is_therapist:
            return redirect("therapist-home")
        return redirect("pair")
    return render(request, "home/more.html", {"couple": couple})
