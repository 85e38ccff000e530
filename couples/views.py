from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.security import PASSWORD_TRIES, PASSWORD_TRIES_WINDOW, password_tries_key
from backend.errors import DomainError
from backend.forms import domain_error_to_form

from . import selectors, services
from .api import JoinThrottle

# English here (tests compare with them); gettext() where they are shown.
TOO_MANY_CODES = gettext_noop("That's a lot of codes in a short time. Please wait a while, then try again.")
TOO_MANY_PASSWORDS = gettext_noop("That's several wrong tries in a row. Please wait 15 minutes, then try again.")

# Wrong passwords on the leave page, per person: a signed-in phone left
# unlocked must not become a way to guess the owner's password (one counter
# with the account's closing, accounts.security).
LEAVE_PASSWORD_TRIES = PASSWORD_TRIES
LEAVE_PASSWORD_WINDOW = PASSWORD_TRIES_WINDOW


class JoinForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        label=_("Enter your partner's code"),
        help_text=_("8 letters and numbers. Dashes, spaces and small letters are fine."),
        error_messages={"required": _("Type the code your partner shows you.")},
        widget=forms.TextInput(
            attrs={
                "class": "code-input",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
            }
        ),
    )


class LeaveForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        help_text=_("So we know it's really you."),
        strip=False,
        error_messages={"required": _("Type your password to leave.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # The pairing block is the default choice, shown as a choice.
    block_partner = forms.BooleanField(
        required=False, initial=True, label=_("Don't let this person pair with me again")
    )
    notice = forms.BooleanField(required=False, initial=False, label=_("Send a short notice"))

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        name = partner.display_name if partner is not None else gettext("your partner")
        self.fields["block_partner"].label = gettext("Don't let %(name)s pair with me again") % {"name": name}
        if partner is None:
            told = gettext(
                "Your partner won't be told: a code between the two of you simply won't work. It lifts only if "
                "you make a new code and they enter it, or if you turn it off in Settings."
            )
        else:
            told = gettext(
                "%(name)s won't be told: a code between the two of you simply won't work. It lifts only if "
                "you make a new code and they enter it, or if you turn it off in Settings."
            ) % {"name": name}
        self.fields["block_partner"].help_text = told
        self.fields["notice"].label = gettext("Let %(name)s know the couple has ended") % {"name": name}
        self.fields["notice"].help_text = gettext(
            'One short notice, the same for everyone: "Your couple on Steady has ended." No reason and no '
            "time: it arrives the next morning. Leave this off to send nothing."
        )


@login_required
@require_http_methods(["GET", "POST"])
def pair(request):
    user = request.user
    if user.is_therapist:
        return redirect("home")
    if selectors.couple_for_user(user=user) is not None:
        # Just paired (the partner typed the code): the first run, which
        # sends anyone who already finished or skipped it on home.
        return redirect("welcome")
    invite = selectors.invite_open_for_user(user=user)
    join_form = JoinForm()
    invite_error = None
    if request.method == "POST":
        if request.POST.get("action") == "new-code":
            try:
                services.invite_create(user=user)
            except DomainError as exc:
                invite_error = exc.message
            else:
                if invite is not None:
                    messages.success(request, gettext("Here is a fresh code. The old one no longer works."))
                return redirect("pair")
        else:
            join_form = JoinForm(request.POST)
            if join_form.is_valid():
                # The same budget as the API's join endpoint: codes cannot be
                # guessed faster on the web than through the API.
                if not JoinThrottle().allow_request(request, None):
                    join_form.add_error("code", gettext(TOO_MANY_CODES))
                else:
                    try:
                        services.couple_join(user=user, code=join_form.cleaned_data["code"])
                    except DomainError as exc:
                        domain_error_to_form(join_form, exc)
                    else:
                        messages.success(request, gettext("You're paired. Welcome to Steady, together."))
                        return redirect("welcome")
    context = {
        "invite": invite,
        "invite_error": invite_error,
        "join_form": join_form,
        "invite_ttl_hours": settings.STEADY_INVITE_TTL_HOURS,
        "timezone_label": user.timezone.replace("_", " "),
        "last_couple": next(iter(selectors.former_memberships(user=user)), None),
        "checked": request.method == "GET" and "check" in request.GET,
    }
    return render(request, "couples/pair.html", context)


def _leave_tries_key(user) -> str:
    return password_tries_key(user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request):
    couple = selectors.couple_for_user(user=request.user)
    if couple is None:
        # Already unpaired (left on another phone, or the partner left).
        return redirect("home")
    partner = selectors.couple_partner_of(couple=couple, user=request.user)
    form = LeaveForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        key = _leave_tries_key(request.user)
        if cache.get(key, 0) >= LEAVE_PASSWORD_TRIES:
            form.add_error("password", gettext(TOO_MANY_PASSWORDS))
        else:
            try:
                services.couple_leave(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                if exc.field == "password":
                    cache.add(key, 0, LEAVE_PASSWORD_WINDOW)
                    cache.incr(key)
                domain_error_to_form(form, exc)
            except Http404:
                return redirect("home")
            else:
                cache.delete(key)
                messages.success(request, gettext("You've left the couple."))
                return redirect("couple-ended")
    return render(request, "couples/leave.html", {"form": form, "partner": partner})


@login_required
@require_http_methods(["GET"])
def ended(request):
    """The calm page after a couple ends, for the one who left and the one
    who stays; couple pages and old notifications lead here (couple_required)."""
    user = request.user
    if user.is_therapist or selectors.couple_for_user(user=user) is not None:
        return redirect("home")
    former = selectors.former_memberships(user=user)
    if not former:
        return redirect("pair")
    return render(request, "couples/ended.html", {"former": former})


@login_required
@require_http_methods(["GET", "POST"])
def pairing_blocks(request):
    """Settings: the former partners this person stopped from pairing with
    them again, each with a way to turn it off (``services.pairing_block_lift``)."""
    if request.user.is_therapist:
        return redirect("settings")
    if request.method == "POST":
        try:
            block_id = int(request.POST.get("block", ""))
        except ValueError:
            raise Http404 from None
        services.pairing_block_lift(user=request.user, block_id=block_id)
        messages.success(request, gettext("Done. They can pair with you again, with a new code."))
        return redirect("settings-pairing-blocks")
    blocks = selectors.pairing_blocks_set_by(user=request.user)
    return render(request, "couples/pairing_blocks.html", {"blocks": blocks})
