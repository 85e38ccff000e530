class ApiNoStoreMiddleware:
    """API responses hold private data: no browser, proxy or service worker
    may keep a copy of them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/v1/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class RefuseNulMiddleware:
    """PostgreSQL cannot store a NUL character (U+0000) in text: one that
    reaches a query is a 500. API bodies are JSON, read by backend.parsers;
    this covers the rest a client can type: query strings everywhere, and
    form posts to the pages, where a few fields are read without a Django
    form (a check-in step's answer, the format to start). An unpaired
    surrogate cannot arrive this way: Django decodes query strings and form
    data with errors="replace", so its bytes become U+FFFD."""

    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .errors import BadInput, bad_request
        from .parsers import NUL_MESSAGE

        fields = [request.GET]
        if request.method == "POST" and request.content_type in self.FORMS and not request.path.startswith("/api/"):
            # The API reads JSON only (its parser); a form there stays a 415.
            fields.append(request.POST)
        for data in fields:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return bad_request(request, BadInput(NUL_MESSAGE))
        return self.get_response(request)


class RefuseMalformedTokenMiddleware:
    """A bearer token that cannot be one of ours is a 401, as any wrong
    token is, before knox reads it (backend.authentication). Only for views
    that authenticate with knox: the others never read the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.http import JsonResponse
        from knox.auth import TokenAuthentication

        from .authentication import bearer_token_is_wellformed

        header = request.META.get("HTTP_AUTHORIZATION", "")
        view = getattr(view_func, "cls", None)  # a DRF view
        if not header or not any(
            issubclass(a, TokenAuthentication) for a in getattr(view, "authentication_classes", ())
        ):
            return None
        try:
            parts = header.encode("latin-1").split()  # as DRF reads the header
        except UnicodeEncodeError:
            parts = [b"bearer", b""]
        if len(parts) == 2 and parts[0].lower() == b"bearer" and not bearer_token_is_wellformed(parts[1]):
            return JsonResponse({"detail": "Invalid token."}, status=401, headers={"WWW-Authenticate": "Bearer"})
        return None
