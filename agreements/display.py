"""Agreements as people read them: intervals and periods in words, and what
changed between two versions (a word-level difference, so a partner sees
exactly which words they are asked to accept)."""

import datetime as dt
import difflib
import re

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from backend import dates

from .models import AgreementVersion, Category

# The review intervals the pages offer; the API takes any 7 to 365 days.
REVIEW_CHOICES = [
    ("", _("No regular review")),
    ("7", _("Every week")),
    ("14", _("Every two weeks")),
    ("30", _("Every month")),
    ("90", _("Every three months")),
    ("182", _("Every six months")),
    ("365", _("Once a year")),
]

OUTCOME_WORDS = {
    "kept": (_("Kept"), _("It held, the way we agreed.")),
    "partly": (_("Partly"), _("Some of the time, or some of it.")),
    "missed": (_("Missed"), _("It didn't happen this time.")),
}


def interval_text(days: int | None) -> str:
    if not days:
        return gettext("No regular review")
    named = {7: gettext("Every week"), 14: gettext("Every two weeks"), 30: gettext("Every month")}
    named |= {90: gettext("Every three months"), 182: gettext("Every six months"), 365: gettext("Once a year")}
    return named.get(days, ngettext("Every day", "Every %(n)d days", days) % {"n": days})


def review_choices(current: int | None) -> list[tuple[str, str]]:
    """The usual intervals, plus the current one if it was set to another
    number (through the API), so editing never silently changes it."""
    choices = list(REVIEW_CHOICES)
    if current and str(current) not in dict(choices):
        choices.append((str(current), interval_text(current)))
    return choices


def period_text(start: dt.date, end: dt.date) -> str:
    """'2–15 March', '28 March – 3 April', '29 December 2025 – 4 January 2026'."""
    if start.year != end.year:
        return f"{date_format(start, 'DATE_FORMAT')} – {date_format(end, 'DATE_FORMAT')}"
    if start.month != end.month:
        return f"{date_format(start, 'MONTH_DAY_FORMAT')} – {date_format(end, 'MONTH_DAY_FORMAT')}"
    return f"{dates.when(start, 'day_of_month')}–{date_format(end, 'MONTH_DAY_FORMAT')}"


# Words (with inner apostrophes), runs of spaces, and single punctuation marks:
# "weeknights." to "weeknights," changes one mark, not the whole word.
_TOKENS = re.compile(r"\s+|\w+(?:['’]\w+)*|[^\w\s]")


def diff_words(old: str, new: str) -> list[dict]:
    """Segments of ``new`` against ``old``: ``{"op": "equal"|"insert"|"delete",
    "text": ...}``. Whitespace is kept so the text reads as written."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[dict] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append({"op": "equal", "text": "".join(b[j1:j2])})
            continue
        if op in ("delete", "replace"):
            segments.append({"op": "delete", "text": "".join(a[i1:i2])})
        if op in ("insert", "replace"):
            segments.append({"op": "insert", "text": "".join(b[j1:j2])})
    return [s for s in segments if s["text"]]


def changes_between(previous: AgreementVersion | None, current: AgreementVersion) -> list[dict]:
    """What changed from ``previous`` to ``current``, field by field."""
    if previous is None:
        return []
    changes = []
    if previous.title != current.title:
        changes.append({"field": gettext("Title"), "segments": diff_words(previous.title, current.title)})
    if previous.details != current.details:
        changes.append({"field": gettext("Details"), "segments": diff_words(previous.details, current.details)})
    if previous.category != current.category:
        changes.append(
            {"field": gettext("Category"), "before": Category(previous.category).label, "after": current.category_label}
        )
    if previous.review_every_days != current.review_every_days:
        changes.append(
            {
                "field": gettext("Review"),
                "before": interval_text(previous.review_every_days),
                "after": interval_text(current.review_every_days),
            }
        )
    return changes
