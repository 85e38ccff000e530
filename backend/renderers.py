"""The API's JSON renderer: drf-orjson-renderer's (orjson, in Rust), with
DRF's own encoder for every type orjson does not write exactly as DRF does.

JSON encoding was the largest single cost of a list page after the page's
statement (a journal page: 0.8 ms of 3.6 ms of CPU, bench/api.py). The
bytes stay what ``rest_framework.renderers.JSONRenderer`` gave: compact,
UTF-8 unescaped, keys in order; dates, times and datetimes go through DRF's
``JSONEncoder`` (ISO 8601, "Z" for UTC, milliseconds) because orjson's own
format differs, and so do Decimals, lazy (translated) strings, UUIDs and
anything else DRF's encoder knows (tests/test_renderer.py compares them)."""

import orjson
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_DRF = JSONEncoder()


def _default(obj):
    # DRF's encoder turns what orjson handed back into JSON-native values
    # (a datetime into its string, a Decimal into a string or float, a
    # lazy string into its text); orjson raises TypeError for the rest, as
    # json.dumps would.
    return _DRF.default(obj)


class JSONRenderer(ORJSONRenderer):
    # Datetimes, dates and times come to _default instead of orjson's format;
    # keys that are not strings are written as json.dumps writes them (a
    # list field's errors are keyed by the item's index: {"weekdays": {"1": [...]}}).
    options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS

    def render(self, data, media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_default, option=self.options)
