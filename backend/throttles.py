from rest_framework.throttling import UserRateThrottle


class WriteThrottle(UserRateThrottle):
    """Every write endpoint is throttled per person (per IP when signed
    out); reads are not. Stricter per-action limits (log-in, sign-up, codes,
    leave) stack on top."""

    scope = "writes"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
