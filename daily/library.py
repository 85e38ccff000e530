"""The library of daily questions: our own wording, one per line in
``questions.txt``, grouped in themes. The line order is each question's
index, so a couple's pick is reproducible (see ``services.question_pick``).

The file is in English, and a couple's question keeps its English text.
``shown`` gives a theme label or a question in the reader's language; the
texts reach the translation catalogs through ``question_texts.py``, made
from this file (``python -m daily.question_texts``; a test holds the two
equal)."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext

PATH = Path(__file__).resolve().parent / "questions.txt"
_THEME = re.compile(r"^\[(?P<key>[a-z_]+)\]\s+(?P<label>.+)$")


@dataclass(frozen=True)
class Question:
    index: int
    theme: str
    text: str


@cache
def _load() -> tuple[dict[str, str], tuple[Question, ...]]:
    themes: dict[str, str] = {}
    questions: list[Question] = []
    theme = None
    for raw in PATH.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _THEME.match(line)
        if match:
            theme = match["key"]
            themes[theme] = match["label"].strip()
            continue
        if theme is None:
            raise ValueError(f"{PATH.name}: a question before any theme: {line!r}")
        questions.append(Question(index=len(questions), theme=theme, text=line))
    return themes, tuple(questions)


def themes() -> dict[str, str]:
    """{key: label}, in the file's order."""
    return dict(_load()[0])


def questions() -> tuple[Question, ...]:
    return _load()[1]


def theme_label(key: str) -> str:
    """The theme's label in the reader's language."""
    return shown(_load()[0].get(key, key.replace("_", " ").capitalize()))


@cache
def _texts() -> frozenset[str]:
    themes_, questions_ = _load()
    return frozenset((*themes_.values(), *(q.text for q in questions_)))


def shown(text: str) -> str:
    """A theme label or question of the library in the reader's language;
    any other text (a question no longer in the file) as it is."""
    return gettext(text) if text in _texts() else text


def normalised(text: str) -> str:
    """For the uniqueness check: case, punctuation and spacing don't make a
    new question."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
