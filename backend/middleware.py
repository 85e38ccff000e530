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
