"""Issue #26: an arrow between a value and the one it became ("3 → 5")
points the reading way: drawn for the eye only and mirrored in right-to-left
pages (``{% arrow %}``, ``|arrow_join``), or written by the translation
itself (Arabic "←"); a screen reader hears a word, not "right arrow"."""

import datetime as dt
import sys
from pathlib import Path

import polib
import pytest
import time_machine
from django.conf import settings
from django.template import engines
from django.template.base import Lexer, TokenType
from django.test import Client
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402

from .test_therapists_support import theo_totp  # noqa: E402, F401 - fixture

DRAWN = '<span class="flip-rtl" aria-hidden="true">→</span>'


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


def test_an_arrow_is_drawn_mirrored_in_rtl_and_heard_as_a_word():
    source = "{{ before }}{% arrow %}{{ scores|arrow_join }}"
    assert render(source, "en", before=3, scores=[4, 5]) == (
        f'3 {DRAWN}<span class="visually-hidden">then</span> 4 {DRAWN}<span class="visually-hidden">then</span> 5'
    )
    assert render(source, "ar", before=3, scores=[4]) == f'3 {DRAWN}<span class="visually-hidden">ثم</span> 4'
    assert render(source, "de", before=3, scores=[4]) == f'3 {DRAWN}<span class="visually-hidden">dann</span> 4'


def test_arrow_join_escapes_each_value_and_joins_nothing_for_one():
    assert render("{{ v|arrow_join }}", "en", v=["<b>", "x"]).startswith("&lt;b&gt; ")
    assert render("{{ v|arrow_join }}", "en", v=[7]) == "7"
    assert render("{{ v|arrow_join }}", "en", v=[]) == ""


def test_the_flip_rtl_class_mirrors_in_right_to_left():
    css = (ROOT / "static" / "css" / "steady.css").read_text(encoding="utf-8")
    assert "[dir=rtl] .flip-rtl { display: inline-block; transform: scaleX(-1); }" in css


def test_no_template_writes_a_bare_arrow():
    """Outside a translated message, an arrow is {% arrow %}, |arrow_join or
    a drawn, mirrored span; "→" inside a filter's argument
    (|join:" → ") or in the page's own text would point right in Arabic."""
    found = []
    for path in i18n.template_files():
        source = path.read_text(encoding="utf-8")
        for token in Lexer(source).tokenize():
            if token.token_type in (TokenType.VAR, TokenType.BLOCK) and "→" in token.contents:
                found.append(f"{path.relative_to(ROOT)}:{token.lineno}: {token.contents[:80]}")
        outside = i18n._template_to_html(source).replace(DRAWN, "")
        if "→" in outside:
            found.append(f"{path.relative_to(ROOT)}: → in the page's own text")
    assert not found, "\n".join(found)


def test_arabic_translations_point_their_arrows_left():
    """A message whose English has a plain "→" between two values has "←"
    in Arabic (a drawn span, which mirrors itself, stays as it is)."""
    catalog = polib.pofile(str(ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po"))
    arrows = [e for e in catalog if not e.obsolete and "→" in e.msgid.replace(DRAWN, "")]
    assert len(arrows) >= 2  # the check-up flag and the grounding line, at least
    wrong = []
    for e in arrows:
        forms = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        for form in forms:
            if "→" in form.replace(DRAWN, "") or "←" not in form:
                wrong.append((e.msgid, form))
    assert not wrong, wrong


@pytest.mark.django_db
def test_the_session_page_draws_a_partners_totals_with_mirrored_arrows_in_arabic(couple, alice, bob, theo, theo_totp):  # noqa: F811
    """theo reads, in Arabic, Alice's check-up totals since the session
    before (28, then 13): the arrows mirror and are heard as "ثم"."""
    from checkups import services as checkups

    from .test_checkups import GOOD, LOW
    from .test_therapists_support import active_grant

    start = dt.datetime(2026, 3, 5, 18, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for u, answers in ((alice, GOOD), (bob, GOOD)):
            checkups.checkup_answer_save(couple=couple, user=u, answers=answers)
        active_grant(couple, alice, bob, theo, scopes=["progress"])
        clock.shift(dt.timedelta(days=15))
        for u, answers in ((alice, LOW), (bob, GOOD)):
            checkups.checkup_answer_save(couple=couple, user=u, answers=answers)
        theo.language = "ar"
        theo.save(update_fields=["language"])
        client = Client()
        client.force_login(theo)

        page = client.get(f"/therapist/couples/{couple.pk}/session/").content.decode()

    assert 'data-testid="changed-progress"' in page, page
    assert f'28 {DRAWN}<span class="visually-hidden">ثم</span> 13' in page
    assert "28 → 13" not in page
