"""The app lock's two pages: the lock itself (``/lock/``) and its settings
(``/settings/lock/``). The rule lives in ``accounts.applock``."""

from __future__ import annotations

from allauth.account.internal.flows.reauthentication import reauthenticate_by_password
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from backend.errors import DomainError

from . import applock

WRONG_PIN = _("That PIN is not right.")
WRONG_PASSWORD = _("That password is not right.")
WRONG_SECRET = _("That PIN or password is not right.")


def _minutes(m: int) -> str:
    return ngettext("%(n)d minute", "%(n)d minutes", m) % {"n": m}


# Evaluated when a form is shown, in the reader's language.
_minutes_label = lazy(_minutes, str)


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("PIN"),
        max_length=applock.PIN_MAX,
        error_messages={"required": _("Enter your PIN.")},
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class LockOnForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label=_("Lock after"),
        coerce=int,
        choices=[(m, _minutes_label(m)) for m in applock.MINUTES_CHOICES],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose when to lock."), "invalid_choice": _("Choose one of the times offered.")},
    )
    pin = forms.CharField(
        label=_("A PIN"),
        required=False,
        max_length=applock.PIN_MAX,
        help_text=format_lazy(
            _("{min} to {max} digits, quicker than the password. Your password always works too."),
            min=applock.PIN_MIN,
            max=applock.PIN_MAX,
        ),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password", "pattern": "[0-9]*"}),
    )
    pin_again = forms.CharField(
        label=_("The PIN again"),
        required=False,
        max_length=applock.PIN_MAX,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password", "pattern": "[0-9]*"}),
    )

    def clean(self):
        data = super().clean()
        pin, again = data.get("pin") or "", data.get("pin_again") or ""
        if pin and pin != again:
            self.add_error("pin_again", _("The two PINs are not the same."))
        return data


class SecretForm(forms.Form):
    """Changing or turning off the lock asks what opens it."""

    secret = forms.CharField(
        label=_("Your PIN or your password"),
        error_messages={"required": _("Enter your PIN or your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _secret_ok(request, form) -> bool:
    """A SecretForm's PIN (digits only: a password never is, see
    NumericPasswordValidator) or password, throttled like the lock page."""
    user = request.user
    secret = form.cleaned_data["secret"].strip()
    as_pin = secret.isdigit() and bool(user.app_lock_pin)
    try:
        ok = applock.secret_check(request, user, pin=secret if as_pin else "", password="" if as_pin else secret)
    except DomainError as exc:
        form.add_error("secret", exc.message)
        return False
    if not ok:
        form.add_error("secret", WRONG_SECRET)
    return ok


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def lock(request):
    """The lock page: no page content and nothing private (no name, not the
    partner's, no email, no counts), and no way round it but the password,
    a PIN or a passkey. The middleware lets it through while locked."""
    user = request.user
    nxt = request.POST.get("next") or request.GET.get("next")
    if not applock.session_is_locked(request.session, user):
        return redirect(applock.safe_next(request, nxt))
    pin_form = PinForm(prefix="pin") if user.app_lock_pin else None
    password_form = PasswordForm(prefix="password")
    status = 200
    if request.method == "POST":
        method = request.POST.get("method")
        form = None
        if method == "pin" and pin_form is not None:
            form = pin_form = PinForm(request.POST, prefix="pin")
            field, wrong = "pin", WRONG_PIN
        elif method == "password":
            form = password_form = PasswordForm(request.POST, prefix="password")
            field, wrong = "password", WRONG_PASSWORD
        if form is None or not form.is_valid():
            status = 400
        else:
            secret = form.cleaned_data[field]
            try:
                ok = applock.secret_check(request, user, **{field: secret})
            except DomainError as exc:
                form.add_error(field, exc.message)
                status = 429
            else:
                if ok:
                    if field == "password":
                        # allauth's own record of a re-authentication.
                        reauthenticate_by_password(request)
                    applock.unlock(request)
                    return redirect(applock.safe_next(request, nxt))
                form.add_error(field, wrong)
                status = 400
    context = {
        "pin_form": pin_form,
        "password_form": password_form,
        "next": applock.safe_next(request, nxt),
    }
    context.update(_passkey_context(request, user))
    return render(request, "accounts/lock.html", context, status=status)


def _passkey_context(request, user) -> dict:
    """allauth's passkey re-authentication, offered when the person has
    registered a passkey (allauth MFA, type webauthn)."""
    from allauth.mfa import app_settings as mfa_settings

    if "webauthn" not in mfa_settings.SUPPORTED_TYPES:
        return {}
    from allauth.mfa.models import Authenticator
    from allauth.mfa.webauthn.forms import ReauthenticateWebAuthnForm
    from allauth.mfa.webauthn.internal import auth

    if not Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.WEBAUTHN).exists():
        return {}
    return {
        "passkey_form": ReauthenticateWebAuthnForm(user=user),
        "passkey_js_data": {"request_options": auth.begin_authentication(user)},
    }


@login_required
@require_http_methods(["GET", "POST"])
def settings_lock(request):
    """Settings → App lock. Turning it on asks nothing more; changing it or
    turning it off asks for the PIN or the password (what opens the lock),
    so a partner holding an unlocked phone cannot quietly remove it."""
    user = request.user
    on = applock.lock_is_on(user)
    initial = {"minutes": user.app_lock_minutes or 5}
    form = LockOnForm(initial=initial)
    secret_form = SecretForm() if on else None
    off_form = SecretForm(prefix="off") if on else None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "off" and on:
            off_form = SecretForm(request.POST, prefix="off")
            if off_form.is_valid() and _secret_ok(request, off_form):
                applock.app_lock_off(user=user)
                applock.session_forget(request)
                messages.success(request, gettext("The app lock is off."))
                return redirect("settings-applock")
            status = 400
        elif action == "on":
            form = LockOnForm(request.POST)
            if on:
                secret_form = SecretForm(request.POST)
            valid = form.is_valid() & (secret_form is None or secret_form.is_valid())
            if valid and (secret_form is None or _secret_ok(request, secret_form)):
                pin = form.cleaned_data["pin"]
                try:
                    applock.app_lock_set(
                        user=user, minutes=form.cleaned_data["minutes"], pin=pin or (None if on else "")
                    )
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    # Counted from now: time away before it was on (or an
                    # earlier lock's) does not lock this session at once.
                    applock.unlock(request)
                    minutes = form.cleaned_data["minutes"]
                    messages.success(
                        request,
                        ngettext(
                            "The app lock is on: after %(n)d minute away, Steady asks again.",
                            "The app lock is on: after %(n)d minutes away, Steady asks again.",
                            minutes,
                        )
                        % {"n": minutes},
                    )
                    return redirect("settings-applock")
            status = 400
        else:
            status = 400
    return render(
        request,
        "accounts/settings_lock.html",
        {"form": form, "secret_form": secret_form, "off_form": off_form, "on": on},
        status=status,
    )
