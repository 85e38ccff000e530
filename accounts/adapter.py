from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied

from backend.client_ip import client_ip

from .devices import device_id_for, device_key_issue
from .security import security_event_record


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with per-device log-in throttling (see devices.py)."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "That email and password don't match. Check them and try again.",
    }

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        device = device_id_for(request=request, email=login) or "untrusted"
        return f"{login}:{device}"

    def login(self, request, user):
        super().login(request, user)
        # The web log-in remembers this browser as a trusted device.
        request._steady_device_key = device_key_issue(email=user.email)
        security_event_record(kind="login", user_id=user.pk, request=request, via="web")

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

    def populate_username(self, request, user):
        # Email is the login; there is no username.
        return None

    def is_open_for_signup(self, request):
        return getattr(settings, "STEADY_SIGNUP_OPEN", True)
