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
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):
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
