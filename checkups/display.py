"""Check-up trends as charts: one per partner, side by side (stacked on a
phone), the same scale, the numbers as a table under each (the charts'
text alternative). Used by the couple's page and by a therapist's page
(progress scope), from ``selectors.progress_for_couple``."""

from __future__ import annotations

from django.utils.translation import gettext

from checkins.charts import Series, line_chart


def progress_charts(progress: dict, *, tz) -> list[dict]:
    top = progress["instrument"]["score_max"]
    flags = {(f["partner_id"], f["round_id"]) for f in progress["flags"]}
    people = []
    for person in progress["partners"]:
        points = person["points"]
        people.append(
            {
                "partner_id": person["partner_id"],
                "name": person["display_name"],
                "chart": line_chart(
                    [Series(person["display_name"], [(p["opened_at"], p["score"]) for p in points])],
                    title=gettext("%(name)s: check-up total per round (0 to %(max)s, higher is better)")
                    % {"name": person["display_name"], "max": top},
                    y_min=0,
                    y_max=top,
                    y_ticks=[0, top // 2, top],
                    tz=tz,
                    x_name=gettext("Round of"),
                    y_name=gettext("Total"),
                    width=320,
                    height=150,
                    empty_text=gettext("No round revealed yet."),
                ),
                "latest": points[-1]["score"] if points else None,
                "flagged": [p["round_number"] for p in points if (person["partner_id"], p["round_id"]) in flags],
            }
        )
    return people
