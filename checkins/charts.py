"""Tiny, dependency-free line charts rendered on the server as inline SVG.

Generic on purpose: a partner's moods on the history page today, a
therapist's summary tomorrow. Every chart is accessible without seeing it:
the SVG has a <title> and a <desc> (named by ``aria-labelledby``), and the
figure carries a text alternative (a table of every point) that screen
readers and people who prefer numbers can open.

Colours come from CSS (``currentColor`` and the ``chart-*`` classes), so the
chart follows the page's light or dark scheme; series also differ by dash
pattern and marker shape, never by colour alone.

Right-to-left languages (Arabic): the chart mirrors, as the page does. Time
runs from right to left and the value labels sit on the right, at the start
of the line (``rtl``, by default the active language's
``get_language_bidi()``). Only x coordinates are mirrored; the SVG states its
``direction``, so the ``text-anchor`` values (start/end, which follow the
direction) keep each label on the right side of its point.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi, gettext, ngettext

from backend import dates

_ids = itertools.count(1)

DASHES = ("", "6 4", "2 4", "10 4 2 4")


@dataclass
class Series:
    """One line: a name and its (x, y) points. x is a datetime, a date or a
    number; y a number. Points are drawn in the order of x."""

    name: str
    points: Sequence[tuple[object, float]] = field(default_factory=list)


def _x_value(x) -> float:
    if isinstance(x, dt.datetime):
        return x.timestamp()
    if isinstance(x, dt.date):
        return dt.datetime.combine(x, dt.time()).timestamp()
    return float(x)


def _default_x_label(tz) -> Callable[[object], str]:
    def label(x) -> str:
        if isinstance(x, dt.datetime):
            return dates.when(x.astimezone(tz) if tz else x, "day_month_short")
        if isinstance(x, dt.date):
            return dates.when(x, "day_month_short")
        return f"{x:g}" if isinstance(x, float) else str(x)

    return label


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _y_text(y: float, y_labels: dict | None, y_format: Callable[[float], str] | None) -> str:
    if y_format is not None:
        return y_format(y)
    if y_labels and y in y_labels:
        return f"{_num(y)} ({y_labels[y]})"
    return _num(y)


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    y_min: float,
    y_max: float,
    y_ticks: Sequence[float] | None = None,
    y_labels: dict[float, str] | None = None,
    y_format: Callable[[float], str] | None = None,
    x_label: Callable[[object], str] | None = None,
    tz=None,
    x_name: str | None = None,
    y_name: str | None = None,
    empty_text: str | None = None,
    width: int = 320,
    height: int = 140,
    css_class: str = "chart",
    rtl: bool | None = None,
) -> SafeString:
    """A <figure> with an accessible inline SVG line chart and a text
    alternative.

    - ``y_ticks``: values with a grid line and a label (default: min and max).
    - ``y_labels``: words for values (``{1: "Struggling", ...}``), used for the
      tick labels (instead of numbers), the description and the table.
    - ``x_label``: formats an x for people (default: "2 Mar" for dates, in
      ``tz`` when given).
    - ``rtl``: mirror it (time runs right to left); default: the active
      language is written right to left.
    """
    uid = f"chart{next(_ids)}"
    x_name = x_name or gettext("Date")
    y_name = y_name or gettext("Value")
    empty_text = empty_text or gettext("Nothing to show yet.")
    if rtl is None:
        rtl = get_language_bidi()
    fmt_x = x_label or _default_x_label(tz)
    clean = [
        Series(s.name, sorted(((x, float(y)) for x, y in s.points if y is not None), key=lambda p: _x_value(p[0])))
        for s in series
    ]
    all_points = [p for s in clean for p in s.points]
    if not all_points:
        return format_html(
            '<figure class="{cls} {cls}-empty"><figcaption class="{cls}-title">{title}</figcaption>'
            '<p class="muted small">{empty}</p></figure>',
            cls=css_class,
            title=title,
            empty=empty_text,
        )

    ticks = list(y_ticks) if y_ticks is not None else [y_min, y_max]
    tick_text = {t: (y_labels or {}).get(t) or _num(t) for t in ticks}
    # Geometry: room on the left for the tick labels (about 6 units a
    # character at font size 11), below for the x labels.
    pad_left = 10 + 6 * max(len(t) for t in tick_text.values())
    pad_right, pad_top, pad_bottom = 12, 10, 24
    plot_w, plot_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    xs = [_x_value(x) for x, _ in all_points]
    x_lo, x_hi = min(xs), max(xs)
    span_y = (y_max - y_min) or 1.0

    def px(x) -> float:
        if x_hi == x_lo:
            return pad_left + plot_w / 2
        return pad_left + (_x_value(x) - x_lo) / (x_hi - x_lo) * plot_w

    def py(y: float) -> float:
        y = min(max(y, y_min), y_max)
        return pad_top + (y_max - y) / span_y * plot_h

    def mx(x: float) -> float:
        # Laid out left to right, then mirrored for a right-to-left page.
        return width - x if rtl else x

    grid = format_html_join(
        "",
        '<line class="{0}-grid" x1="{1}" x2="{2}" y1="{3}" y2="{3}" stroke="currentColor" stroke-opacity=".18"/>'
        '<text class="{0}-tick" x="{4}" y="{5}" text-anchor="end" font-size="11" fill="currentColor">{6}</text>',
        (
            (
                css_class,
                _num(mx(pad_left)),
                _num(mx(width - pad_right)),
                _num(py(t)),
                _num(mx(pad_left - 6)),
                _num(py(t) + 4),
                tick_text[t],
            )
            for t in ticks
        ),
    )
    first_x = min((p[0] for p in all_points), key=_x_value)
    last_x = max((p[0] for p in all_points), key=_x_value)
    if _x_value(last_x) == _x_value(first_x):
        # One moment only: its label sits under its point.
        x_axis = format_html(
            '<text class="{0}-tick" x="{1}" y="{2}" text-anchor="middle" font-size="11" fill="currentColor">{3}</text>',
            css_class,
            _num(mx(px(first_x))),
            height - 6,
            fmt_x(first_x),
        )
    else:
        x_axis = format_html(
            '<text class="{0}-tick" x="{1}" y="{3}" text-anchor="start" font-size="11" fill="currentColor">{4}</text>'
            '<text class="{0}-tick" x="{2}" y="{3}" text-anchor="end" font-size="11" fill="currentColor">{5}</text>',
            css_class,
            _num(mx(pad_left)),
            _num(mx(width - pad_right)),
            height - 6,
            fmt_x(first_x),
            fmt_x(last_x),
        )

    lines = []
    for i, s in enumerate(clean):
        if not s.points:
            continue
        coords = " ".join(f"{_num(mx(px(x)))},{_num(py(y))}" for x, y in s.points)
        dash = DASHES[i % len(DASHES)]
        markers = format_html_join(
            "",
            '<circle cx="{0}" cy="{1}" r="3.5" fill="currentColor"><title>{2}: {3}</title></circle>'
            if i % 2 == 0
            else '<rect x="{4}" y="{5}" width="7" height="7" fill="currentColor"><title>{2}: {3}</title></rect>',
            (
                (
                    _num(mx(px(x))),
                    _num(py(y)),
                    fmt_x(x),
                    _y_text(y, y_labels, y_format),
                    _num(mx(px(x)) - 3.5),
                    _num(py(y) - 3.5),
                )
                for x, y in s.points
            ),
        )
        lines.append(
            format_html(
                '<g class="{cls}-series {cls}-series-{i}" data-series="{name}">'
                '<polyline points="{coords}" fill="none" stroke="currentColor" stroke-width="2.25" '
                'stroke-linejoin="round" stroke-linecap="round"{dash}/>{markers}</g>',
                cls=css_class,
                i=i,
                name=s.name,
                coords=coords,
                dash=format_html(' stroke-dasharray="{}"', dash) if dash else "",
                markers=markers,
            )
        )

    desc = describe(clean, fmt_x=fmt_x, y_labels=y_labels, y_format=y_format)
    svg = format_html(
        '<svg class="{cls}-svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{uid}-t {uid}-d" '
        'preserveAspectRatio="xMidYMid meet" focusable="false" direction="{direction}">'
        '<title id="{uid}-t">{title}</title><desc id="{uid}-d">{desc}</desc>{grid}{x_axis}{lines}</svg>',
        cls=css_class,
        direction="rtl" if rtl else "ltr",
        w=width,
        h=height,
        uid=uid,
        title=title,
        desc=desc,
        grid=grid,
        x_axis=x_axis,
        lines=mark_safe("".join(lines)),  # noqa: S308 - each part built with format_html
    )
    legend = ""
    if len(clean) > 1:
        legend = format_html(
            '<ul class="{0}-legend">{1}</ul>',
            css_class,
            format_html_join(
                "",
                '<li class="{0}-series-{1}"><svg width="24" height="8" aria-hidden="true" focusable="false">'
                '<line x1="0" x2="24" y1="4" y2="4" stroke="currentColor" stroke-width="2.25"{3}/></svg>{2}</li>',
                (
                    (
                        css_class,
                        i,
                        s.name,
                        format_html(' stroke-dasharray="{}"', DASHES[i % len(DASHES)])
                        if DASHES[i % len(DASHES)]
                        else "",
                    )
                    for i, s in enumerate(clean)
                ),
            ),
        )
    table = text_alternative(
        clean, fmt_x=fmt_x, y_labels=y_labels, y_format=y_format, x_name=x_name, y_name=y_name, css_class=css_class
    )
    return format_html(
        '<figure class="{cls}"><figcaption class="{cls}-title" aria-hidden="true">{title}</figcaption>{svg}{legend}'
        '<details class="{cls}-data"><summary>{as_text}</summary>{table}</details></figure>',
        cls=css_class,
        title=title,
        as_text=gettext("%(title)s as text") % {"title": title},
        svg=svg,
        legend=legend,
        table=table,
    )


def describe(
    series: Sequence[Series],
    *,
    fmt_x: Callable[[object], str],
    y_labels: dict | None = None,
    y_format: Callable[[float], str] | None = None,
) -> str:
    """One or two plain sentences per series: how many points, over which
    span, the range and the latest value."""
    parts = []
    for s in series:
        if not s.points:
            parts.append(gettext("%(name)s: no points yet.") % {"name": s.name})
            continue
        ys = [y for _, y in s.points]
        first, last = s.points[0], s.points[-1]
        n = len(s.points)
        if n == 1:
            text = gettext("%(name)s: 1 point on %(day)s. Value %(value)s.") % {
                "name": s.name,
                "day": fmt_x(first[0]),
                "value": _y_text(last[1], y_labels, y_format),
            }
        else:
            text = ngettext(
                "%(name)s: %(n)d point from %(first)s to %(last)s. Lowest %(low)s, highest %(high)s, latest %(latest)s.",
                "%(name)s: %(n)d points from %(first)s to %(last)s. Lowest %(low)s, highest %(high)s, latest %(latest)s.",
                n,
            ) % {
                "name": s.name,
                "n": n,
                "first": fmt_x(first[0]),
                "last": fmt_x(last[0]),
                "low": _y_text(min(ys), y_labels, y_format),
                "high": _y_text(max(ys), y_labels, y_format),
                "latest": _y_text(last[1], y_labels, y_format),
            }
        parts.append(text)
    return " ".join(parts)


def text_alternative(
    series: Sequence[Series],
    *,
    fmt_x: Callable[[object], str],
    y_labels: dict | None = None,
    y_format: Callable[[float], str] | None = None,
    x_name: str | None = None,
    y_name: str | None = None,
    css_class: str = "chart",
) -> SafeString:
    """Every point as a table, one per series (a caption names it)."""
    x_name = x_name or gettext("Date")
    y_name = y_name or gettext("Value")
    tables = []
    for s in series:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            ((fmt_x(x), _y_text(y, y_labels, y_format)) for x, y in s.points),
        )
        tables.append(
            format_html(
                '<table class="{cls}-table"><caption>{name}</caption>'
                '<thead><tr><th scope="col">{xn}</th><th scope="col">{yn}</th></tr></thead><tbody>{rows}</tbody></table>',
                cls=css_class,
                name=s.name,
                xn=x_name,
                yn=y_name,
                rows=rows,
            )
        )
    return mark_safe("".join(tables))  # noqa: S308 - each table built with format_html
