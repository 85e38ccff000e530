"""Charts mirror in a right-to-left language (docs/accessibility.md): time
runs from right to left and the value labels sit on the right, because the
chart asks the active language's bidi (``get_language_bidi()``)."""

import datetime as dt
import re

import pytest
from django.utils import translation

from checkins.charts import Series, line_chart
from journal.charts import sparkline
from therapists.charts import Bar, bar_chart

DAY = dt.date(2026, 3, 2)


def _chart(**kwargs):
    return line_chart(
        [Series("Mood", [(DAY, 2), (DAY + dt.timedelta(days=7), 3), (DAY + dt.timedelta(days=14), 5)])],
        title="Mood",
        y_min=1,
        y_max=5,
        width=320,
        x_label=lambda d: d.isoformat(),  # month names would be translated
        **kwargs,
    )


def _points(svg) -> list[float]:
    coords = re.search(r'<polyline points="([^"]+)"', svg).group(1)
    return [float(pair.split(",")[0]) for pair in coords.split()]


def _tick_xs(svg) -> list[float]:
    # The value labels (the y axis): the texts whose y is not the bottom row.
    return [float(x) for x, y in re.findall(r'<text class="chart-tick" x="([\d.]+)" y="([\d.]+)"', svg) if y != "134"]


def _date_labels(svg) -> dict[str, float]:
    return {
        text: float(x) for x, text in re.findall(r'<text class="chart-tick" x="([\d.]+)" y="134"[^>]*>([^<]+)<', svg)
    }


@pytest.mark.parametrize("language", ["en", "es", "de"])
def test_left_to_right_languages_run_time_left_to_right(language):
    with translation.override(language):
        svg = _chart()
    xs = _points(svg)
    assert xs == sorted(xs) and xs[0] < xs[-1]
    assert 'direction="ltr"' in svg
    assert all(x < 160 for x in _tick_xs(svg))  # the value labels on the left
    dates = _date_labels(svg)
    assert dates["2026-03-02"] < dates["2026-03-16"]


def test_arabic_runs_time_right_to_left():
    with translation.override("ar"):
        assert translation.get_language_bidi()
        svg = _chart()
    xs = _points(svg)
    assert xs == sorted(xs, reverse=True) and xs[0] > xs[-1]  # oldest on the right
    assert 'direction="rtl"' in svg
    assert all(x > 160 for x in _tick_xs(svg))  # the value labels on the right, the start of the line
    dates = _date_labels(svg)
    assert dates["2026-03-02"] > dates["2026-03-16"]


def test_the_mirror_is_exact():
    ltr, rtl = _chart(rtl=False), _chart(rtl=True)
    assert [round(320 - x, 1) for x in _points(ltr)] == [round(x, 1) for x in _points(rtl)]
    circles = lambda svg: [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]  # noqa: E731
    assert [round(320 - x, 1) for x in circles(ltr)] == [round(x, 1) for x in circles(rtl)]
    # Same words, same table: only the drawing is mirrored.
    assert ltr.split("</svg>", 1)[1] == rtl.split("</svg>", 1)[1]


def test_a_single_point_sits_in_the_middle_either_way():
    one = [Series("Mood", [(DAY, 3)])]
    assert _points(line_chart(one, title="T", y_min=1, y_max=5, rtl=True)) == [
        320 - x for x in _points(line_chart(one, title="T", y_min=1, y_max=5, rtl=False))
    ]


def test_bar_chart_mirrors():
    bars = [Bar("2 Mar", 1), Bar("9 Mar", 4), Bar("16 Mar", 2)]
    with translation.override("en"):
        ltr = bar_chart(bars, title="Triggers", y_max=4)
    with translation.override("ar"):
        rtl = bar_chart(bars, title="Triggers", y_max=4)

    def first_and_last(svg):
        rects = re.findall(r'<rect x="([\d.]+)"[^>]*><title>([^<:]+):', svg)
        return {label: float(x) for x, label in rects}

    a, b = first_and_last(ltr), first_and_last(rtl)
    assert a["2 Mar"] < a["16 Mar"] and b["2 Mar"] > b["16 Mar"]
    assert 'direction="rtl"' in rtl and 'direction="ltr"' in ltr


def test_sparkline_mirrors():
    def bars(svg):
        return [float(x) for x in re.findall(r'<rect x="([\d.]+)"', svg)]

    with translation.override("ar"):
        rtl = bars(sparkline([1, 2, 3], top=3))
    with translation.override("en"):
        ltr = bars(sparkline([1, 2, 3], top=3))
    assert ltr == sorted(ltr) and rtl == sorted(rtl, reverse=True)
    assert ltr[0] == 0 and rtl[-1] == 0  # the newest week at the end of the line
