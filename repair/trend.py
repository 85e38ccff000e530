"""Time to repair (issue #19): per month, the median minutes from a
time-out's start to the completed repair that followed it. How quickly the
couple comes back together, never how often they fight: no counts in the
answer or the chart. The chart is the shared line chart
(``checkins.charts.line_chart``: SVG with a title, a description and the
numbers as a table). Read by ``/api/v1/repairs/trend/``, the ``/repair/``
page and a therapist with the ``repair_trend`` scope."""

from __future__ import annotations

import datetime as dt
import statistics

from django.db import connection
from django.db.models import Aggregate, DurationField, ExpressionWrapper, F, FloatField
from django.db.models.functions import Extract, TruncMonth
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend import dates
from backend.localtime import local_midnight, zone
from checkins.charts import Series, line_chart
from couples.models import Couple

from .models import Repair


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def repair_trend(*, couple: Couple, months: int = 12, now: dt.datetime | None = None) -> dict:
    """Per month (the couple's timezone, by the time-out's start), the median
    minutes from a time-out's start to the completed repair that followed
    it. How quickly the couple comes back together; never how often they
    fight: no counts. One query."""
    now = now or timezone.now()
    tz = zone(name=couple.timezone)
    # From the first day of the month ``months - 1`` months back, local time:
    # whole months only (a DST-true local midnight).
    local = now.astimezone(tz)
    index = local.year * 12 + local.month - 1 - (months - 1)
    since = local_midnight(day=dt.date(index // 12, index % 12 + 1, 1), tz=tz)
    repairs = Repair.objects.filter(
        couple=couple,
        status=Repair.Status.COMPLETED,
        timeout__isnull=False,
        timeout__started_at__gte=since,
        closed_at__gt=F("timeout__started_at"),
    )
    if connection.vendor == "postgresql":
        rows = (
            repairs.annotate(month=TruncMonth("timeout__started_at", tzinfo=tz))
            .values("month")
            .annotate(
                median_seconds=Median(
                    Extract(ExpressionWrapper(F("closed_at") - F("timeout__started_at"), DurationField()), "epoch")
                )
            )
            .order_by("month")
        )
    else:
        rows = _medians_in_python(repairs, tz=tz)
    return {
        "timezone": couple.timezone,
        "months": [
            {"month": r["month"].astimezone(tz).strftime("%Y-%m"), "median_minutes": round(r["median_seconds"] / 60)}
            for r in rows
        ],
    }


def _medians_in_python(repairs, *, tz) -> list[dict]:
    """The same medians where the database has no PERCENTILE_CONT (SQLite,
    the embedded default): one query for the months' (start, end) pairs,
    the median per local month computed here."""
    by_month: dict[dt.datetime, list[float]] = {}
    for started, closed in repairs.values_list("timeout__started_at", "closed_at"):
        local = started.astimezone(tz)
        month = local_midnight(day=dt.date(local.year, local.month, 1), tz=tz)
        by_month.setdefault(month, []).append((closed - started).total_seconds())
    return [{"month": month, "median_seconds": statistics.median(by_month[month])} for month in sorted(by_month)]


def trend_chart(trend: dict, *, title: str = _("Time from a time-out to a finished repair")) -> SafeString:
    points = []
    for m in trend["months"]:
        year, month = (int(x) for x in m["month"].split("-"))
        points.append((dt.date(year, month, 1), m["median_minutes"]))
    top = max((p[1] for p in points), default=60)
    top = max(60, ((top + 59) // 60) * 60)
    return line_chart(
        [Series(gettext("Median minutes"), points)],
        title=gettext("%(title)s: the middle value per month, in minutes (lower is sooner)") % {"title": title},
        y_min=0,
        y_max=top,
        y_ticks=[0, top // 2, top],
        x_label=lambda d: dates.when(d, "month_year_short"),
        x_name=gettext("Month"),
        y_name=gettext("Median minutes"),
        empty_text=gettext(
            "Nothing here yet: after a time-out and a repair conversation, this shows how soon you came back together."
        ),
        width=320,
        height=150,
    )
