"""The daily question's library (issue #22): at least 365 questions of our
own, each once however it is capitalised or punctuated, in six themes."""

import re
from collections import Counter
from pathlib import Path

from daily import library

THEMES = {"appreciation", "memories", "hopes", "fun", "everyday", "depth"}


def test_at_least_365_questions_in_the_six_themes():
    questions = library.questions()
    assert len(questions) >= 365
    assert set(library.themes()) == THEMES
    per_theme = Counter(q.theme for q in questions)
    # Balanced enough that skipping one theme still leaves most of a year.
    assert min(per_theme.values()) >= 50, per_theme


def test_no_question_twice_after_normalising_case_and_punctuation():
    seen: dict[str, str] = {}
    twins = []
    for q in library.questions():
        key = library.normalised(q.text)
        if key in seen:
            twins.append((seen[key], q.text))
        seen[key] = q.text
    assert twins == []


def test_normalising_ignores_case_punctuation_and_spacing():
    assert library.normalised("What made you SMILE today?") == library.normalised("what made you smile,  today")
    assert library.normalised("A b") != library.normalised("A c")


def test_each_is_a_question_in_plain_words():
    for q in library.questions():
        assert q.text.endswith("?"), q.text
        assert 15 <= len(q.text) <= 160, q.text
        # Hand-written, not filled in: no placeholders or template marks.
        assert not re.search(r"[{}<>\[\]_]", q.text), q.text
        assert q.text[0].isupper(), q.text


def test_the_index_is_the_order_in_the_file():
    questions = library.questions()
    assert [q.index for q in questions] == list(range(len(questions)))


def test_the_translation_list_is_made_from_the_file():
    # makemessages finds the library's texts in daily/question_texts.py;
    # after changing questions.txt, `python -m daily.question_texts`.
    from daily import question_texts

    assert list(question_texts.TEXTS) == question_texts.texts_of_library(library)
    assert question_texts._written() == Path(question_texts.__file__).read_text(encoding="utf-8")


def test_a_question_is_shown_in_the_readers_language_and_other_text_as_it_is():
    from django.utils import translation

    first = library.questions()[0].text
    with translation.override("en"):
        assert library.shown(first) == first
        assert library.theme_label("appreciation") == "Appreciation"
    # Text that is not the library's (a question since reworded) stays as stored.
    assert library.shown("Something a person wrote?") == "Something a person wrote?"
