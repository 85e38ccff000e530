from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import DomainError

from . import selectors, services
from .forms import SettingsForm
from .security import security_event_record


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    user = request.user
    initial = {
        "display_name": user.display_name,
        "timezone": user.timezone,
        "language": user.language or translation.get_language(),
        "quiet_hours_start": user.quiet_hours_start,
        "quiet_hours_end": user.quiet_hours_end,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            values = dict(form.cleaned_data)
            if not values.get("language"):
                values.pop("language", None)  # not sent: unchanged
            services.user_update(user=user, fields_set=set(values), **values)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except ValidationError as exc:
            # A model rule the form does not know about: show it, never a 500.
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, gettext("Saved. Your changes are in place."))
            return redirect("settings")
        # user_update may have set attributes before refusing; don't let the
        # rest of this page show values that were not saved.
        user.refresh_from_db()
    quiet_hours = [form["quiet_hours_start"], form["quiet_hours_end"]]
    return render(request, "accounts/settings.html", {"form": form, "quiet_hours": quiet_hours})


# --- signed-in devices -----------------------------------------------------------------


def _device_words(user_agent: str) -> str:
    """A browser's user agent in a few words ("Firefox on Android"), for the
    person's own list of where they are signed in. Never stored; unknown
    agents say so plainly."""
    ua = user_agent or ""
    browser = next(
        (name for key, name in _BROWSERS if key in ua),
        gettext("A browser") if ua else "",
    )
    system = next((name for key, name in _SYSTEMS if key in ua), "")
    if not browser:
        return gettext("A browser we can't name")
    # Browser and system names are names; "a Mac" is words.
    return gettext("%(browser)s on %(system)s") % {"browser": browser, "system": system} if system else browser


# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", gettext_lazy("a Mac")),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


@login_required
@require_http_methods(["GET"])
def devices(request):
    """Where the person is signed in: this browser, other browsers, and the
    app's devices (API tokens). The same list as ``GET /api/v1/me/sessions/``
    (``selectors.sessions_for_user``)."""
    rows = selectors.sessions_for_user(user=request.user, current_session_key=request.session.session_key)
    for row in rows:
        row["words"] = gettext("The Steady app") if row["kind"] == "app" else _device_words(row["user_agent"])
    rows.sort(key=lambda r: not r["current"])  # this one first
    return render(
        request,
        "accounts/devices.html",
        {"rows": rows, "others": sum(1 for r in rows if not r["current"])},
    )


@login_required
@require_POST
def device_sign_out(request, session_id: str):
    """Signs one device out, as ``DELETE /api/v1/me/sessions/{id}/``
    (``services.session_end``: 404 for anything not the person's own)."""
    rows = selectors.sessions_for_user(user=request.user, current_session_key=request.session.session_key)
    if any(r["current"] and r["id"] == session_id for r in rows):
        # This browser: sign out through Django, which gives the response a
        # fresh session instead of saving the ended one again.
        logout(request)
        return redirect("account_login")
    services.session_end(user=request.user, session_id=session_id)
    messages.success(request, gettext("Signed out there. It will need the password to come back."))
    return redirect("settings-devices")


@login_required
@require_POST
def devices_sign_out_others(request):
    """Every other device, as ``DELETE /api/v1/me/sessions/``: this one stays
    signed in."""
    ended = services.sessions_end(user=request.user, keep_session_key=request.session.session_key)
    security_event_record(kind="sessions_ended", user_id=request.user.pk, request=request, via="web")
    if ended:
        messages.success(request, gettext("Signed out everywhere else. Only this one is still signed in."))
    else:
        messages.info(request, gettext("Nothing else was signed in."))
    return redirect("settings-devices")


@require_http_methods(["GET", "POST"])
def account_restore(request, token: str):
    """The link emailed when an account closes. A GET only shows the page
    (mail scanners open links; the link is single-use), the button restores
    (``services.account_restore``). Every link that cannot be used — forged,
    used, expired, its account erased — gets the same page."""
    if request.method == "POST":
        if request.user.is_authenticated:
            # Someone else is signed in in this browser: out first, so the
            # restored account is not mixed with theirs (on the POST only:
            # opening a link never signs anyone out).
            logout(request)
        try:
            services.account_restore(token=token, request=request)
        except DomainError:
            return render(request, "accounts/restore.html", {"valid": False}, status=400)
        messages.success(request, gettext("Your account is back. Sign in with your password."))
        return redirect("account_login")
    valid = services.restore_link_valid(token=token)
    return render(request, "accounts/restore.html", {"valid": valid}, status=200 if valid else 400)
