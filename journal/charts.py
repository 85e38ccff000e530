"""The patterns page's charts, drawn on the server as inline SVG.

Line charts come from ``checkins.charts`` (accessible, follows the colour
scheme). The per-category rows use a tiny bar sparkline drawn here: it is
decorative (``aria-hidden``), because each row says its number in words
and the whole grid is also given as a table.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi, gettext, ngettext

from backend import dates
from checkins.charts import Series, line_chart

from .models import Category

LABELS = dict(Category.choices)


def _count(y: float) -> str:
    return f"{int(round(y))}"


def _week(d) -> str:
    return dates.when(d, "day_month_short")


def sparkline(
    values: list[int], *, top: int, width: int = 132, height: int = 28, rtl: bool | None = None
) -> SafeString:
    """Oldest week first, from the start of the line: on the right in a
    right-to-left language (``rtl``, default the active language's)."""
    if rtl is None:
        rtl = get_language_bidi()
    n = max(len(values), 1)
    gap = 2
    bar_w = max((width - gap * (n - 1)) / n, 1)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" rx="1.5"{}/>',
        (
            (
                f"{(width - i * (bar_w + gap) - bar_w) if rtl else i * (bar_w + gap):.1f}",
                f"{height - h:.1f}",
                f"{bar_w:.1f}",
                f"{h:.1f}",
                format_html(' class="{}"', "spark-empty") if not v else "",
            )
            for i, v in enumerate(values)
            for h in [max(height * v / top, 2) if top else 2]
        ),
    )
    return format_html(
        '<svg class="spark" viewBox="0 0 {w} {h}" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        '<g fill="currentColor">{bars}</g></svg>',
        w=width,
        h=height,
        bars=bars,
    )


def pattern_charts(p: dict) -> dict:
    weeks = p["weeks"]
    top_week = max((w["total"] for w in weeks), default=0)
    weekly = line_chart(
        [Series(gettext("Hard moments"), [(w["week_start"], w["total"]) for w in weeks])],
        title=ngettext("Hard moments this week", "Hard moments per week, last %(n)d weeks", len(weeks))
        % {"n": len(weeks)},
        y_min=0,
        y_max=max(top_week, 2),
        y_ticks=[0, max(top_week, 2)],
        y_format=_count,
        x_label=_week,
        x_name=gettext("Week of"),
        y_name=gettext("Logged"),
        css_class="chart",
    )

    top_cell = max((c for w in weeks for c in w["counts"].values()), default=0)
    rows = [
        {
            "key": key,
            "label": str(LABELS[key]),
            "total": total,
            "spark": sparkline([w["counts"][key] for w in weeks], top=top_cell),
        }
        for key, total in sorted(p["by_category"].items(), key=lambda kv: (-kv[1], list(LABELS).index(kv[0])))
        if total
    ]

    grounded_weeks = [w for w in weeks if w["grounded"]]
    intensity = line_chart(
        [
            Series(gettext("Before"), [(w["week_start"], w["grounded_before_avg"]) for w in grounded_weeks]),
            Series(gettext("After breathing"), [(w["week_start"], w["grounded_after_avg"]) for w in grounded_weeks]),
        ],
        title=gettext("How strong, before and after breathing (weekly average)"),
        y_min=0,
        y_max=10,
        y_ticks=[0, 5, 10],
        x_label=_week,
        x_name=gettext("Week of"),
        y_name=gettext("Average, 0 to 10"),
        empty_text=gettext(
            "After you do the breathing exercise from a trigger log, you'll see here how strong it was before and after."
        ),
        css_class="chart",
    )
    week_rows = [
        {
            "week_start": w["week_start"],
            "total": w["total"],
            "words": "; ".join(
                gettext("%(category)s: %(n)d") % {"category": LABELS[k], "n": n} for k, n in w["counts"].items() if n
            ),
        }
        for w in reversed(weeks)
    ]
    return {"weekly_chart": weekly, "category_rows": rows, "intensity_chart": intensity, "week_rows": week_rows}
