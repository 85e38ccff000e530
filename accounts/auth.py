"""API token authentication: knox's, without its per-request sweep.

knox's ``TokenAuthentication`` deletes the user's *other* expired tokens on
every request, which reads every token the user has (one more query per
request, growing with their devices). Here a request looks at the token it
presents and nothing else; expired tokens are deleted in bulk by the
``accounts.tokens_expired_delete`` beat task (docs/operations.md).
Everything else — the lookup by key prefix, the digest check, AUTO_REFRESH
of the presented token, the inactive-user check — is knox's, inherited.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired
from rest_framework import exceptions

from backend.authentication import bearer_token_is_wellformed

from .language import activate_for_api

INVALID = _("Invalid token.")


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate(self, request):
        try:
            result = super().authenticate(request)
        except UnicodeEncodeError:
            # DRF reads the header as latin-1; a character beyond it cannot
            # be one of our tokens (and was a 500).
            raise exceptions.AuthenticationFailed(INVALID) from None
        if result is not None:
            # The first moment a token's person is known: the API answers in
            # Accept-Language, else in their own language (accounts.language).
            activate_for_api(request._request, result[0])
        return result

    def authenticate_credentials(self, token: bytes):
        """A token that cannot be one of ours is refused like any wrong one,
        before knox decodes it as UTF-8 or looks it up (other bytes, or a
        NUL on PostgreSQL, were a 500)."""
        if not bearer_token_is_wellformed(token):
            raise exceptions.AuthenticationFailed(INVALID)
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        """True (and the token deleted) if the presented token has expired:
        it is refused at once, whether or not the sweep has reached it."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


try:
    from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
except ImportError:  # the schema tool is not installed: nothing to describe
    pass
else:

    class TokenScheme(KnoxTokenScheme):
        """The OpenAPI schema's "Bearer" scheme for this class, as
        drf-spectacular gives knox's own (it matches the exact class)."""

        target_class = "accounts.auth.TokenAuthentication"
