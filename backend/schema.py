"""The API schema's error responses, documented where they happen.

docs/API.md's general rules give every error its status: 400 with field
errors, 401 not signed in, 403 not allowed for your role, 404 anything not
yours, 409 a state conflict, 429 throttled. drf-spectacular documents only
the success responses; this AutoSchema adds the errors to each operation by
those rules, from what the view is (its method, path, authentication,
permissions and throttles). What a view documents itself with
``extend_schema(responses=...)`` is kept as it is.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from .throttles import WriteThrottle

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PREFIX = "/api/v1/"

# Paths that need a couple: without one, or for anything of another
# couple's, the answer is 404 (API.md: "another couple's objects are
# indistinguishable from missing ones").
COUPLE_PATHS = (
    "agreements/",
    "checkins/",
    "checkups/",
    "couple/",
    "daily-question/",
    "gratitude/",
    "practices/",
    "space/",
    "timeout-rules/",
    "timeouts/",
    "repairs/",
    "promises/",
    "reassurance/ritual/",
    "reassurance/occurrences/",
)

# Paths for one role, answering 403 to the other: the journal is for
# partners (journal.api._ensure_partner); therapist/ paths check their role
# with permission classes, which are read from the view.
ROLE_PATHS = ("journal/", "steadied/")

# Writes whose service can refuse with a state conflict (409): a stale
# version, already answered, revealed or paired, one open period at a time.
CONFLICTS = {
    ("POST", "agreements/{agreement_id}/accept/"),
    ("POST", "agreements/{agreement_id}/amend/"),
    ("POST", "agreements/{agreement_id}/decline/"),
    ("POST", "agreements/{agreement_id}/reflections/"),
    ("POST", "agreements/{agreement_id}/retire/"),
    ("PUT", "checkins/{checkin_id}/answers/"),
    ("PUT", "daily-question/{question_id}/answer/"),
    ("POST", "checkups/"),
    ("POST", "checkins/{checkin_id}/skip/"),
    ("POST", "checkins/{checkin_id}/session/answer/"),
    ("POST", "checkins/{checkin_id}/session/pause/"),
    ("POST", "checkins/{checkin_id}/session/ready/"),
    ("POST", "checkins/{checkin_id}/session/resume/"),
    ("POST", "checkins/schedules/{schedule_id}/accept/"),
    ("POST", "checkins/schedules/{schedule_id}/resume/"),
    ("POST", "couple/invites/"),
    ("POST", "couple/join/"),
    ("POST", "couple/therapist-grants/"),
    ("POST", "couple/therapist-grants/{grant_id}/approve/"),
    ("POST", "couple/therapist-grants/{grant_id}/replace/"),
    ("POST", "couple/therapist-grants/{grant_id}/revoke/"),
    ("GET", "couple/therapist-grants/{grant_id}/view/"),
    ("POST", "gratitude/"),
    ("DELETE", "gratitude/{note_id}/"),
    ("POST", "gratitude/{note_id}/acknowledge/"),
    ("PATCH", "journal/{entry_id}/"),
    ("POST", "practices/{practice_id}/accept/"),
    ("POST", "practices/{practice_id}/decline/"),
    ("POST", "practices/{practice_id}/done/"),
    ("POST", "practices/{practice_id}/renegotiate/"),
    ("POST", "journal/{entry_id}/share/"),
    ("POST", "space/"),
    ("POST", "space/{period_id}/extend/"),
    ("POST", "space/{period_id}/reconnect/"),
    ("POST", "therapist/connect-codes/"),
    ("POST", "therapist/couples/{couple_id}/checkup-request/"),
    ("POST", "therapist/couples/{couple_id}/session-dates/"),
    ("POST", "timeout-rules/"),
    ("POST", "timeout-rules/{rules_id}/accept/"),
    ("POST", "timeout-rules/{rules_id}/amend/"),
    ("POST", "timeout-rules/{rules_id}/decline/"),
    ("POST", "timeout-rules/{rules_id}/retire/"),
    ("POST", "timeouts/"),
    ("POST", "checkins/"),  # format "repair": a repair starts at /repairs/
    ("POST", "repairs/"),
    ("PUT", "repairs/{repair_id}/steps/{step_key}/"),
    ("POST", "repairs/{repair_id}/stop/"),
    ("POST", "repairs/commitments/{commitment_id}/keep/"),
    ("POST", "promises/{promise_id}/keep/"),
    ("POST", "promises/{promise_id}/renegotiate/"),
    ("POST", "reassurance/ritual/"),
    ("POST", "reassurance/ritual/{ritual_id}/accept/"),
    ("PUT", "reassurance/occurrences/{occurrence_id}/"),
    ("POST", "steadied/digests/"),
}

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "a machine-readable reason, where one helps a client"},
    },
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        'Field errors, `{"field": ["message", ...]}` (nested for nested input), '
        'or `{"detail": "..."}` for an error that is not about one field.'
    ),
    "additionalProperties": True,
}

RESPONSES = {
    "400": (
        "BadRequest",
        FIELD_ERRORS,
        "The request cannot be used as sent: field errors, or JSON that is malformed, nested too deeply, "
        "too large, or holds a NUL character or an unpaired surrogate.",
    ),
    "401": ("Unauthorized", ERROR, "Not signed in, or the token is wrong, expired or revoked."),
    "403": (
        "Forbidden",
        ERROR,
        "Signed in, but not allowed: not for your role, not yours to do, or a cookie session without its CSRF token.",
    ),
    "404": ("NotFound", ERROR, "Not found, not yours, or you are not in a couple."),
    "409": ("Conflict", ERROR, "A state conflict: a stale version, already answered or revealed, already paired."),
    "429": ("TooManyRequests", ERROR, "Throttled: try again later (after Retry-After seconds, when sent)."),
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait before trying again"}}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_statuses():
            responses.setdefault(code, self._error_response(code))
        return responses

    def _error_statuses(self) -> list[str]:
        route = self.path.removeprefix(PREFIX)
        write = self.method in WRITES
        # Any request can carry what cannot be read (backend.parsers,
        # RefuseNulMiddleware); a view that authenticates refuses a wrong
        # token, even where signing in is optional.
        codes = ["400"]
        if self.view.get_authenticators():
            codes.append("401")
        csrf = write and any(isinstance(a, SessionAuthentication) for a in self.view.get_authenticators())
        role = any(
            not isinstance(p, (IsAuthenticated, AllowAny)) for p in self.view.get_permissions()
        ) or route.startswith(ROLE_PATHS)
        if csrf or role:
            codes.append("403")
        paginated = any(p.get("in") == "query" and p["name"] == "page" for p in self._get_parameters())
        if "{" in route or route.startswith(COUPLE_PATHS) or paginated:
            codes.append("404")  # a page past the last is a 404 too
        if (self.method, route) in CONFLICTS:
            codes.append("409")
        throttles = self.view.get_throttles()
        if any(write or not isinstance(t, WriteThrottle) for t in throttles):
            codes.append("429")
        return codes

    def _error_response(self, code: str) -> dict:
        name, schema, description = RESPONSES[code]
        body = {"description": description, "content": {"application/json": {"schema": schema}}}
        if code == "429":
            body["headers"] = RETRY_AFTER
        component = ResolvedComponent(name=name, type=ResolvedComponent.RESPONSE, object=name, schema=body)
        self.registry.register_on_missing(component)
        return component.ref


# --- languages (issue #26, docs/translations.md) ---------------------------------------

ACCEPT_LANGUAGE = {
    "in": "header",
    "name": "Accept-Language",
    "required": False,
    "schema": {"type": "string", "example": "es"},
    "description": (
        "The language of error messages and built-in content (check-in formats, daily questions, notification "
        "titles): one of en, es, de, ar, with the usual preferences (`es-MX, es;q=0.9, en;q=0.5`). Without it, "
        "or with none of these, the person's own language setting (`language` on `/me/`), then English. What "
        "a partner wrote is always as written."
    ),
}
CONTENT_LANGUAGE = {
    "schema": {"type": "string", "example": "es"},
    "description": "The language the response's messages and built-in content are in.",
}
_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def language_headers(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation takes
    Accept-Language, and every response says its Content-Language
    (accounts.language decides it)."""
    components = result.setdefault("components", {})
    components.setdefault("parameters", {})["AcceptLanguage"] = ACCEPT_LANGUAGE
    components.setdefault("headers", {})["ContentLanguage"] = CONTENT_LANGUAGE
    parameter = {"$ref": "#/components/parameters/AcceptLanguage"}
    header = {"$ref": "#/components/headers/ContentLanguage"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if parameter not in parameters:
                parameters.append(parameter)
            for response in operation.get("responses", {}).values():
                if "$ref" not in response:
                    response["headers"] = {**response.get("headers", {}), "Content-Language": header}
    for response in components.get("responses", {}).values():
        # A copy: a response's headers may be a constant shared by all (RETRY_AFTER).
        response["headers"] = {**response.get("headers", {}), "Content-Language": header}
    return result
