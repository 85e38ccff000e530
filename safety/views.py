"""The safety pages (docs/safety.md). Each is ``no-store`` (no copy in the
browser's cache or back-forward cache) and marked ``data-replace-history``
so that steady.js moves on from it with ``location.replace``: a safety page
never becomes a step back in the history."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.countries import country_choices
from accounts.services import user_update
from backend.errors import DomainError

from . import selectors, services
from .guidance import GUIDANCE
from .models import Feeling, SafetyPreference
from .resources import resources_for, seeded_countries


def _private(view):
    """No cache, no referrer to wherever the person goes next. A form sent
    by steady.js from a safety page (``X-Steady-Replace``) gets where to go
    as JSON instead of a redirect, so the script can go there with
    ``location.replace`` (a followed redirect would use up the page's
    message on a fetch nobody sees)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = never_cache(view)(request, *args, **kwargs)
        if request.headers.get("X-Steady-Replace") and isinstance(response, HttpResponseRedirect):
            response = never_cache(lambda _request: JsonResponse({"location": response.url}))(request)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


@login_required
@_private
def safety(request):
    state = selectors.safety_state_for(user=request.user)
    return render(
        request,
        "safety/safety.html",
        {
            "state": state,
            "feelings": Feeling.choices,
            "every_choices": SafetyPreference.Every.choices,
            "countries": country_choices(),
            "seeded": seeded_countries(),
        },
    )


@_private
def help_now(request):
    # Open without signing in, as the journal's help page: nobody should
    # have to log in to find a helpline.
    if request.user.is_authenticated:
        country, paused = request.user.effective_country, request.user.couple_paused
    else:
        country, paused = request.GET.get("country", ""), False
    return render(
        request,
        "safety/help.html",
        {"resources": resources_for(country), "guidance": GUIDANCE, "paused": paused},
    )


@login_required
@_private
def answers(request):
    return render(request, "safety/answers.html", {"answers": selectors.answers_for(user=request.user)})


@login_required
@require_POST
@_private
def answer(request):
    feel_safe = request.POST.get("feel_safe", "")
    try:
        services.safety_answer(user=request.user, feel_safe=feel_safe)
    except DomainError:
        messages.error(request, gettext("Choose one answer."))
        return redirect("safety")
    if feel_safe == Feeling.YES:
        messages.success(request, gettext("Thank you. This page is here whenever you need it."))
        return redirect("safety")
    return redirect("safety-help")


@login_required
@require_POST
@_private
def later(request):
    services.safety_asked(user=request.user)
    return redirect("home")


@login_required
@require_POST
@_private
def pause(request):
    services.safety_pause(user=request.user)
    messages.success(request, gettext("Paused, for you only. Your partner sees nothing change."))
    return redirect(_next(request, "safety"))


@login_required
@require_POST
@_private
def resume(request):
    services.safety_resume(user=request.user)
    messages.success(request, gettext("Back on. Everything is as it was."))
    return redirect(_next(request, "safety"))


@login_required
@require_POST
@_private
def preferences(request):
    every = request.POST.get("ask_every_weeks", "")
    country = request.POST.get("country", "").strip().upper()
    try:
        every_weeks = int(every) if every else None
        services.safety_ask_every(user=request.user, every_weeks=every_weeks)
        user_update(user=request.user, country=country, fields_set={"country"})
    except (ValueError, DomainError, ValidationError):
        messages.error(request, gettext("That choice did not work. Please pick from the lists."))
        return redirect("safety")
    messages.success(request, gettext("Saved."))
    return redirect("safety")


def _next(request, default: str) -> str:
    # Only our own two places to go back to: never an address from the form.
    return "home" if request.POST.get("next") == "home" else default


def home_context(user) -> dict:
    """The person's own home card: the question again when they asked for
    it (in-app only), and a calm way back when they paused. Both are read
    from the person's own rows; the partner's home never calls this with
    anyone but themselves."""
    return {
        "safety_paused": user.couple_paused,
        "safety_check_due": selectors.safety_check_due(user=user),
        "safety_feelings": Feeling.choices,
    }
