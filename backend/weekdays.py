"""Weekdays in the order a person's language shows a week (issue #26).

Stored weekdays are ISO everywhere, Monday = 0 … Sunday = 6 (check-in
schedules, the reassurance ritual, the API: docs/API.md), and couple-level
weeks run Monday to Sunday (``backend.localtime.week_start``). Only the
order in which a page *shows* the days of a week follows the active
language's first day, Django's ``FIRST_DAY_OF_WEEK`` (0 = Sunday, 1 =
Monday, 6 = Saturday): English Sunday, Spanish and German Monday, Arabic
Saturday (``backend/formats/ar``; Django's own Arabic formats leave it at
the default Sunday).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.utils.formats import get_format

T = TypeVar("T")


def first_weekday() -> int:
    """The active language's first day of the week, as a stored weekday
    (Monday = 0): Sunday is 6, Saturday 5."""
    return (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


def week_order() -> list[int]:
    """The stored weekdays 0-6 in the order the active language shows a
    week: [6, 0, 1, 2, 3, 4, 5] in English (Sunday first)."""
    first = first_weekday()
    return [(first + i) % 7 for i in range(7)]


def in_week_order(items: Iterable[T], key: Callable[[T], int] = int) -> list[T]:
    """``items`` sorted by their weekday's place in the active language's
    week; ``key`` gives an item's stored weekday."""
    place = {day: i for i, day in enumerate(week_order())}
    return sorted(items, key=lambda item: place[int(key(item)) % 7])
