"""Issue #26 for check-ins, the journal and the daily question: built-in
content (check-in formats, daily questions and themes) is shown in the
reader's language and only built-in content is; what a couple wrote stays as
written; the live socket answers in the person's language. The catalogs are
not committed yet, so gettext is stood in for by a visible marker."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from checkins import formats
from checkins.consumers import _language_of
from checkins.models import Format
from daily import library


def _marked(text: str) -> str:
    return f"[{text}]"


@pytest.fixture
def marked(monkeypatch):
    monkeypatch.setattr(formats, "gettext", _marked)
    monkeypatch.setattr(library, "gettext", _marked)


def test_a_builtin_formats_words_are_shown_translated_a_couples_own_as_written(marked):
    pulse = formats.DAILY_PULSE
    assert formats.shown(pulse["name"]) == "[Daily pulse]"
    step = formats.shown_step(pulse["steps"][1])
    assert step["prompt"] == f"[{pulse['steps'][1]['prompt']}]"
    assert step["help"] == f"[{pulse['steps'][1]['help']}]"
    assert step["key"] == "appreciated"  # keys are never translated
    assert formats.shown("Our Sunday talk") == "Our Sunday talk"
    assert formats.shown_step({"key": "x", "kind": "text", "prompt": "What did you love?"})["prompt"] == (
        "What did you love?"
    )


def test_every_builtin_text_is_marked_for_the_catalogs():
    # makemessages finds gettext_noop(...) literals; the texts are plain strings at run time.
    # One mark per text: names, descriptions, prompts and help.
    source = Path(formats.__file__).read_text(encoding="utf-8")
    assert source.count("gettext_noop(") == len(formats.BUILTIN_TEXTS)


@pytest.mark.django_db
def test_the_format_rows_names_go_through_the_same_door(marked):
    pulse = Format.objects.get(key="daily-pulse", couple=None)
    assert pulse.shown_name == "[Daily pulse]"
    assert pulse.shown_description.startswith("[Two minutes")
    assert pulse.name == "Daily pulse"  # the stored value stays English


def test_daily_questions_and_themes_are_shown_translated_other_text_as_stored(marked):
    first = library.questions()[0]
    assert library.shown(first.text) == f"[{first.text}]"
    assert library.theme_label("appreciation") == "[Appreciation]"
    assert library.shown("A question reworded since it was asked?") == "A question reworded since it was asked?"


@pytest.mark.parametrize(
    ("user_language", "cookies", "accept", "expected"),
    [
        ("", {}, b"de-DE,de;q=0.9,en;q=0.5", "de"),
        ("", {"django_language": "ar"}, b"de", "ar"),
        ("es", {"django_language": "ar"}, b"de", "es"),
        ("", {}, b"", "en"),
        ("", {}, b"xx", "en"),
    ],
)
def test_the_live_socket_speaks_the_persons_language(user_language, cookies, accept, expected):
    user = SimpleNamespace(language=user_language)
    scope = {"cookies": cookies, "headers": [(b"accept-language", accept)] if accept else []}
    assert _language_of(scope, user) == expected
