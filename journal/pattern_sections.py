"""Sections other features add to the author's own patterns page (as
``couples.closing`` gathers what closes with a couple). The journal sits
below the features that fill it, so it offers this registry; each feature
registers from its ``<app>/journal_patterns.py`` (found by
``JournalConfig.ready``). A section reads the author's own data only."""

from collections.abc import Callable
from typing import Any

_SECTIONS: list[Callable[[Any], dict | None]] = []


def section(fn: Callable[[Any], dict | None]) -> Callable[[Any], dict | None]:
    """Registers ``fn(user) -> {"template": ..., ...} | None``."""
    _SECTIONS.append(fn)
    return fn


def sections_for(user) -> list[dict]:
    return [found for fn in _SECTIONS if (found := fn(user))]
