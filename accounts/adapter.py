import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from backend.client_ip import client_ip

from .devices import device_id_for, device_key_issue
from .security import security_event_record


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with per-device log-in throttling (see devices.py)."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("That email and password don't match. Check them and try again."),
        "incorrect_password": _("That password is not right."),
    }

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Someone who signed in moments ago (the log-in page, or the emailed
        link right after sign-up) is not asked for the password again: a
        therapist setting up two-factor straight after joining went through
        a second password page for nothing. The same window as allauth's own
        for a re-authentication (``ACCOUNT_REAUTHENTICATION_TIMEOUT``)."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request
        if request is None or not request.user.is_authenticated:
            return True
        records = get_authentication_records(request, request.user)
        latest = max((r.get("at", 0) for r in records), default=0)
        return time.time() - latest >= account_settings.REAUTHENTICATION_TIMEOUT

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        device = device_id_for(request=request, email=login) or "untrusted"
        return f"{login}:{device}"

    def login(self, request, user):
        super().login(request, user)
        # The web log-in remembers this browser as a trusted device.
        request._steady_device_key = device_key_issue(email=user.email)
        security_event_record(kind="login", user_id=user.pk, request=request, via="web")
        # Signed in by the emailed link, in the browser that has just signed
        # up with a password (allauth signs in on confirmation only there):
        # allauth keeps no record of that, so a page asking for a recent
        # sign-in (two-factor set-up) asked for the password straight away.
        if not get_authentication_records(request, user):
            record_authentication(request, user, method="signup")

    def logout(self, request):
        user_id = getattr(request.user, "pk", None)
        super().logout(request)
        security_event_record(kind="logout", user_id=user_id, request=request, via="web")

    def authentication_failed(self, request, **credentials):
        # Which account was tried is not recorded: a failed attempt must not
        # turn into a log of someone's email.
        security_event_record(kind="login_failed", user_id=None, request=request)

    def get_client_ip(self, request) -> str:
        # allauth's rate limits and its record of web sessions use this.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every allauth email (confirmation, password reset, "an account
        already exists", ...) in its recipient's own language
        (accounts.language): the account's setting when the address has an
        account, else the language of the request that caused it."""
        from django.utils import translation

        from .language import language_of
        from .models import User

        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).only("language").first()
        language = language_of(user) if user is not None and user.language else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def populate_username(self, request, user):
        # Email is the login; there is no username.
        return None

    def is_open_for_signup(self, request):
        return getattr(settings, "STEADY_SIGNUP_OPEN", True)
