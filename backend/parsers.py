"""The one JSON reader for what clients send: API bodies (through DRF's
parser below) and the live socket's messages.

A JSON document can hold what no database column can: PostgreSQL stores no
NUL character (U+0000) in text or jsonb, and no unpaired surrogate (a lone
``\\ud800`` escape decodes to a Python string that is not valid Unicode, so
it cannot be encoded to UTF-8). And Python's decoder recurses once per level
of nesting: 100,000 ``[`` end in a RecursionError. Refused here, once, as a
400 that says what is wrong, such input never reaches a view, a service or
the database, and nothing saved is touched."""

import json
import re
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# Steady's deepest real document is a custom format's steps (about four
# levels); twenty leaves room and stays far from Python's recursion limit.
MAX_DEPTH = 20

NUL_MESSAGE = gettext_lazy("Null characters are not allowed.")  # DRF's own wording, as CharField says it
TOO_DEEP_MESSAGE = format_lazy(
    gettext_lazy("JSON nested more than {depth} levels deep is not accepted."), depth=MAX_DEPTH
)

_SURROGATE = re.compile("[\ud800-\udfff]")


class UnreadableJSON(ValueError):
    """The text is JSON, but not a document Steady can take. ``field`` is the
    top-level key under which the problem sits, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        message = str(message)  # a lazy translation, in the language of now (json.dumps takes no proxy)
        super().__init__(message)
        self.message = message
        self.field = field

    def as_data(self) -> dict:
        return {self.field: [self.message]} if self.field is not None else {"detail": self.message}


def text_problem(text: str) -> str | None:
    """Why the database could not store ``text``, or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    if surrogate := _SURROGATE.search(text):
        # DRF's wording again (ProhibitSurrogateCharactersValidator).
        return gettext("Surrogate characters are not allowed: U+%(code)s.") % {"code": f"{ord(surrogate.group()):X}"}
    return None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON.")


def json_loads(text: str | bytes) -> Any:
    """``json.loads``, refusing (UnreadableJSON, a ValueError) a document
    nested deeper than MAX_DEPTH or with NUL or an unpaired surrogate in any
    string or key, and (ValueError) NaN and Infinity, which are not JSON."""
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnreadableJSON(TOO_DEEP_MESSAGE) from None
    _check(document)
    return document


def _check(document: Any) -> None:
    # Iterative, so that checking cannot recurse either.
    stack = [(document, 1, None)]
    while stack:
        value, depth, field = stack.pop()
        if isinstance(value, str):
            if problem := text_problem(value):
                raise UnreadableJSON(problem, field=field)
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise UnreadableJSON(TOO_DEEP_MESSAGE)
            top = depth == 1 and isinstance(value, dict)
            items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
            for key, item in items:
                if key is not None and (problem := text_problem(key)):
                    raise UnreadableJSON(problem, field=field)
                stack.append((item, depth + 1, key if top else field))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, reading through ``json_loads``. Text the database
    could not store is a field error (``{"answers": ["..."]}``) under the
    top-level key that holds it; too deep, or bad JSON, is ``{"detail"}``."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return json_loads(stream.read().decode(encoding))
        except UnreadableJSON as exc:
            if exc.field is not None:
                raise ValidationError(exc.as_data()) from None
            raise ParseError(exc.message) from None
        except ValueError as exc:  # bad JSON, or bytes that are not in the encoding
            raise ParseError(gettext("JSON parse error - %(error)s") % {"error": exc}) from None
