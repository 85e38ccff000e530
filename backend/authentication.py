"""The shape of an API token, checked before knox sees it.

knox decodes a bearer token as UTF-8 (other bytes were a 500) and looks its
first characters up in the database (a NUL was a 500 on PostgreSQL). A token
that cannot be one of ours is refused before either, like any wrong token:
accounts.auth.TokenAuthentication for the API, ws_auth for
the live socket."""

import re

# A knox token is printable ASCII: a hex string after an optional prefix.
_TOKEN = re.compile(rb"[\x21-\x7e]{1,128}")


def bearer_token_is_wellformed(token: bytes) -> bool:
    return _TOKEN.fullmatch(token) is not None
