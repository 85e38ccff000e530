"""backend.renderers.JSONRenderer (orjson) writes the bytes DRF's own
JSONRenderer wrote, for every type a Steady response carries."""

import datetime as dt
import decimal
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer as DRFRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from backend.renderers import JSONRenderer

SAMPLES = [
    {"a": 1, "b": [1, 2.5, None, True, False], "c": {"nested": "ünïcödé ✓ العربية"}},
    {"utc": dt.datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=dt.UTC)},
    {"berlin": dt.datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))},
    {"naive": dt.datetime(2026, 1, 1, 12, 0), "date": dt.date(2026, 2, 28), "time": dt.time(18, 0, 5, 250000)},
    {"money": decimal.Decimal("12.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"lazy": gettext_lazy("This field is required."), "error": [ErrorDetail("Too long.", code="max_length")]},
    ReturnDict({"results": ReturnList([{"x": 1}], serializer=None), "count": 1}, serializer=None),
    ["plain", "list", 0, -1, 10**15, 0.1],
    {"weekdays": {1: [ErrorDetail("Use 0 to 6.", code="invalid")]}, 2: "two"},
    "a string",
    {"emoji": "🌱", "quote": '"', "slash": "</script>", "newline": "a\nb"},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_same_bytes_as_drf(data):
    assert JSONRenderer().render(data) == DRFRenderer().render(data)


def test_none_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_unknown_types_fail_as_they_did():
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})


@pytest.mark.django_db
def test_the_api_answers_with_it(as_alice, alice):
    response = as_alice.get("/api/v1/me/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["id"] == alice.pk
