"""Reminder kinds: each a small registered handler, so a new kind is a few
lines in its feature's ``<app>/reminder_kinds.py`` (found by
``RemindersConfig.ready`` with ``autodiscover_modules``; reminders imports no
feature). Wording is fixed here and content-free: no answer, note or journal
text, and no name, ever reaches a title, an email or a push. A display name
is free text its owner controls, shown on a lock screen and in an inbox
preview, so titles say "your partner" (``register`` refuses a placeholder)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from .models import Reminder


@dataclass(frozen=True)
class Kind:
    key: str
    title: str  # fixed wording, the same for everyone: no name, no content
    label: str  # for the preferences page
    # Loads targets by id in one query: {target_id: target}.
    load: Callable[[list[int]], dict[int, Any]]
    # Whether the reminder still makes sense when the tick reaches it.
    still_due: Callable[[Reminder, Any, dt.datetime], bool]
    url: Callable[[Any], str]
    # Later than this past its fire time, it is recorded as missed, not sent.
    grace: dt.timedelta = dt.timedelta(minutes=30)
    opt_in: bool = False
    # For recurring kinds: the next due time after this one, or None.
    next_due: Callable[[Reminder, Any, dt.datetime], dt.datetime | None] | None = None
    extra: dict = field(default_factory=dict)


KINDS: dict[str, Kind] = {}


def source_text(text) -> str:
    """A title as its English source text (the msgid), whichever language is
    active: what a Notification stores, shown in each reader's language on
    read (``Notification.title_shown``)."""
    with translation.override(None):
        return str(text)


def register(kind: Kind) -> Kind:
    if "{" in kind.title or "}" in kind.title:
        raise ValueError(f"Reminder kind {kind.key!r}: a title is fixed wording, without placeholders.")
    KINDS[kind.key] = kind
    return kind


def is_enabled(kind: Kind, prefs_kinds: dict) -> bool:
    return bool(prefs_kinds.get(kind.key, not kind.opt_in))
