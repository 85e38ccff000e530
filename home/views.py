"""The couple's home page: one card per feature, each feature giving its
own card's context (``<app>.views.home_context``)."""

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.services import TooManyPasswords, account_close
from agreements.views import home_context as agreements_home
from backend.errors import DomainError
from backend.forms import domain_error_to_form
from checkins.views import home_context as checkins_home
from checkins.views import my_answer_rows
from couples import selectors as couples_selectors
from couples.views import TOO_MANY_PASSWORDS
from daily.views import home_context as daily_home
from gratitude.views import home_context as gratitude_home
from journal.views import home_context as journal_home
from reassurance.views import home_context as reassurance_home
from repair.views import home_context as repair_home
from safety.views import home_context as safety_home
from space.views import home_context as space_home
from therapists.views import home_context as therapists_home

from .selectors import HISTORY_PAGE_SIZE, HISTORY_SECTIONS, ended_couple_history, user_export


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
        safety_home,
        space_home,
        repair_home,
        reassurance_home,
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


# --- Settings: the person's data -------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def settings_export(request):
    """The person's data as a file, from Settings: the same JSON as
    ``GET /api/v1/me/export/`` (``home.selectors.user_export``)."""
    response = JsonResponse(user_export(user=request.user), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="steady-export.json"'
    # Everything the person wrote: never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        help_text=_("So we know it's really you."),
        strip=False,
        max_length=128,
        error_messages={"required": _("Type your password to delete your account.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    erase_now = forms.BooleanField(
        required=False,
        label=_("Erase everything now"),
        help_text=_("No 14 days and no restore link: everything goes at once, for good."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_delete(request):
    """Deleting the account from Settings: the password, then
    ``accounts.services.account_close`` as ``DELETE /api/v1/me/`` does (closed
    at once, erased after the window unless restored by the emailed link, or
    erased now). Wrong passwords count with the leave page's (one counter per
    person, ``accounts.security``): a phone left unlocked and signed in must
    not become a way to guess the owner's password."""
    user = request.user
    couple = couples_selectors.couple_for_user(user=user)
    partner = couples_selectors.couple_partner_of(couple=couple, user=user) if couple is not None else None
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        erase_now = form.cleaned_data["erase_now"]
        try:
            account_close(user=user, password=form.cleaned_data["password"], erase_now=erase_now, request=request)
        except TooManyPasswords:
            form.add_error("password", gettext(TOO_MANY_PASSWORDS))
        except DomainError as exc:
            domain_error_to_form(form, exc)
        else:
            # Every session has ended; give this browser a fresh, empty one.
            logout(request)
            return redirect("account-erased" if erase_now else "account-deleted")
    return render(
        request,
        "home/settings_delete.html",
        {
            "form": form,
            "partner": partner,
            "is_therapist": user.is_therapist,
            "erase_days": settings.STEADY_ACCOUNT_ERASE_DAYS,
            "email": user.email,
        },
    )


@require_http_methods(["GET"])
def account_deleted(request):
    """Where closing an account ends: nobody is signed in here."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(
        request, "home/account_deleted.html", {"erased": False, "erase_days": settings.STEADY_ACCOUNT_ERASE_DAYS}
    )


@require_http_methods(["GET"])
def account_erased(request):
    """Where erasing an account now ends."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "home/account_deleted.html", {"erased": True})


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


HISTORY_LABELS = {"checkins": _("Check-ins"), "notes": pgettext_lazy("tab", "Notes"), "agreements": _("Agreements")}
