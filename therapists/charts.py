"""Bar charts for the therapist summary, drawn on the server as inline SVG.

Same contract as ``checkins.charts.line_chart`` (which the summary uses for
moods): a <figure> whose SVG has a <title> and a <desc> named by
``aria-labelledby``, and a text alternative (every bar in a table) that
screen readers, printouts and people who prefer numbers can open. Colours
come from CSS (``currentColor``), so the chart follows the page's light or
dark scheme and prints in ink. Like ``line_chart`` it mirrors for a
right-to-left language (``rtl``): weeks run from right to left.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    """One bar: its label (a week, say), its value (None: nothing to show,
    drawn as a gap, not a zero) and an optional note for the table."""

    label: str
    value: float | None
    note: str = ""


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    y_max: float,
    y_format: Callable[[float], str] = _num,
    x_name: str = "Week",
    y_name: str = "Value",
    empty_text: str = "Nothing to show for these dates.",
    width: int = 420,
    height: int = 150,
    css_class: str = "chart",
    rtl: bool | None = None,
) -> SafeString:
    uid = f"bars{next(_ids)}"
    if rtl is None:
        rtl = get_language_bidi()
    shown = [b for b in bars if b.value is not None]
    if not shown:
        return format_html(
            '<figure class="{cls} {cls}-empty"><figcaption class="{cls}-title">{title}</figcaption>'
            '<p class="muted small">{empty}</p></figure>',
            cls=css_class,
            title=title,
            empty=empty_text,
        )
    top = max(y_max, max(b.value for b in shown)) or 1.0
    top_text, mid_text = y_format(top), y_format(top / 2)
    pad_left = 10 + 7 * max(len(top_text), len(mid_text))
    pad_right, pad_top, pad_bottom = 8, 10, 24
    plot_w, plot_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    n = len(bars)
    slot = plot_w / n
    gap = min(slot * 0.25, 6)
    bar_w = max(slot - gap, 1)

    def py(v: float) -> float:
        return pad_top + (top - min(max(v, 0), top)) / top * plot_h

    def mx(x: float, w: float = 0) -> float:
        # The left edge of something w wide at x, mirrored on a right-to-left page.
        return width - x - w if rtl else x

    grid = format_html_join(
        "",
        '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="currentColor" stroke-opacity=".18"/>'
        '<text class="{3}-tick" x="{4}" y="{5}" text-anchor="end" font-size="11" fill="currentColor">{6}</text>',
        (
            (
                _num(mx(pad_left)),
                _num(mx(width - pad_right)),
                _num(py(v)),
                css_class,
                _num(mx(pad_left - 6)),
                _num(py(v) + 4),
                text,
            )
            for v, text in ((0, y_format(0)), (top / 2, mid_text), (top, top_text))
        ),
    )
    rects = format_html_join(
        "",
        '<rect x="{0}" y="{1}" width="{2}" height="{3}" rx="1.5" fill="currentColor"><title>{4}: {5}</title></rect>',
        (
            (
                _num(mx(pad_left + i * slot + gap / 2, bar_w)),
                _num(py(b.value)),
                _num(bar_w),
                _num(max(py(0) - py(b.value), 0.75)),
                b.label,
                y_format(b.value),
            )
            for i, b in enumerate(bars)
            if b.value is not None
        ),
    )
    x_axis = format_html(
        '<text class="{0}-tick" x="{1}" y="{3}" text-anchor="start" font-size="11" fill="currentColor">{4}</text>'
        '<text class="{0}-tick" x="{2}" y="{3}" text-anchor="end" font-size="11" fill="currentColor">{5}</text>',
        css_class,
        _num(mx(pad_left)),
        _num(mx(width - pad_right)),
        height - 6,
        bars[0].label,
        bars[-1].label if n > 1 else "",
    )
    values = [b.value for b in shown]
    desc = (
        f"{len(bars)} {x_name.lower()}s from {bars[0].label} to {bars[-1].label}. "
        f"Lowest {y_format(min(values))}, highest {y_format(max(values))}, latest {y_format(shown[-1].value)}."
    )
    if len(shown) < len(bars):
        desc += f" {len(bars) - len(shown)} with nothing to count."
    svg = format_html(
        '<svg class="{cls}-svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{uid}-t {uid}-d" '
        'preserveAspectRatio="xMidYMid meet" focusable="false" direction="{direction}">'
        '<title id="{uid}-t">{title}</title><desc id="{uid}-d">{desc}</desc>{grid}{x_axis}'
        '<g class="{cls}-bars">{rects}</g></svg>',
        cls=css_class,
        direction="rtl" if rtl else "ltr",
        w=width,
        h=height,
        uid=uid,
        title=title,
        desc=desc,
        grid=grid,
        x_axis=x_axis,
        rects=rects,
    )
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td></tr>",
        (
            (b.label, (y_format(b.value) if b.value is not None else "–") + (f" ({b.note})" if b.note else ""))
            for b in bars
        ),
    )
    table = format_html(
        '<table class="{cls}-table"><caption>{title}</caption><thead><tr><th scope="col">{xn}</th>'
        '<th scope="col">{yn}</th></tr></thead><tbody>{rows}</tbody></table>',
        cls=css_class,
        title=title,
        xn=x_name,
        yn=y_name,
        rows=rows,
    )
    return format_html(
        '<figure class="{cls} {cls}-bar"><figcaption class="{cls}-title" aria-hidden="true">{title}</figcaption>{svg}'
        '<details class="{cls}-data"><summary>{title} as text</summary>{table}</details></figure>',
        cls=css_class,
        title=title,
        svg=svg,
        table=mark_safe(table),  # noqa: S308 - built with format_html
    )
