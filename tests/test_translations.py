"""The four languages (docs/translations.md): every template's visible text
is marked, every message is translated into es, de and ar with its
placeholders and markup intact, and the compiled catalogs are current."""

import re
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402

LANGS = i18n.LANGS
CATALOGS = [ROOT / "locale" / lang / "LC_MESSAGES" / f"{domain}.po" for lang in LANGS for domain in i18n.DOMAINS]
CATALOGS = [po for po in CATALOGS if po.exists()]

_PY_FORMAT = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")
_TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in _PY_FORMAT.findall(text)}


def _tags(text: str) -> list[str]:
    return sorted(_TAG.findall(text))


def test_every_template_is_marked():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text[:80]}"
        for path in i18n.template_files()
        for line, text in i18n.untranslated_text(path)
    ]
    assert not found, "visible text not marked for translation:\n" + "\n".join(found)


def test_every_template_parses():
    """Through the project's own engine: a template that reads well token
    by token can still fail to load (a {% comment %} header cut by a merge)."""
    errors = [f"{path.relative_to(ROOT)}: {error}" for path, error in i18n.template_errors(i18n.template_files())]
    assert not errors, "templates that do not parse:\n" + "\n".join(errors)


def test_check_reports_a_template_that_does_not_parse_by_its_name(tmp_path, capsys):
    """The merge that cut therapists/_summary_section.html's {% comment %}
    left an {% endcomment %} alone, and every word around it marked."""
    broken = tmp_path / "cut_by_a_merge.html"
    broken.write_text(
        '{% load i18n %}\n  The summary partial.\n{% endcomment %}\n<p>{% translate "Check-up" %}</p>\n',
        encoding="utf-8",
    )
    fine = tmp_path / "fine.html"
    fine.write_text(
        '{% load i18n %}<p>{% translate "Check-up" %} {{ day|when:"weekday_day_month" }}</p>\n', encoding="utf-8"
    )

    exit_code = i18n.main(["check", str(broken), str(fine)])

    out = capsys.readouterr().out
    assert exit_code == 1
    assert f"{broken}: template syntax error: " in out
    assert "endcomment" in out
    assert str(fine) not in out


def test_check_passes_templates_that_parse_and_are_marked(tmp_path, capsys):
    fine = tmp_path / "fine.html"
    fine.write_text(
        '{% load i18n %}<p>{% translate "Check-up" %} {{ day|when:"day_month_short" }}</p>\n', encoding="utf-8"
    )

    assert i18n.main(["check", str(fine)]) == 0
    assert capsys.readouterr().out == ""


def test_there_are_catalogs_for_every_language():
    for lang in LANGS:
        assert (ROOT / "locale" / lang / "LC_MESSAGES" / "django.po").exists(), lang


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_message_is_translated(po):
    catalog = polib.pofile(str(po))
    untranslated = [e.msgid for e in catalog if not e.obsolete and not i18n._translated(e)]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_placeholders_and_markup_survive(po):
    catalog = polib.pofile(str(po))
    wrong = []
    for entry in catalog:
        if entry.obsolete or not i18n._translated(entry):
            continue
        if entry.msgid_plural:
            allowed = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural)
            for form in entry.msgstr_plural.values():
                # A form for one or two may say the number in words.
                if not _placeholders(form) <= allowed or _tags(form) != _tags(entry.msgid_plural):
                    wrong.append((entry.msgid, form))
        elif _placeholders(entry.msgstr) != _placeholders(entry.msgid) or _tags(entry.msgstr) != _tags(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_compiled_catalogs_are_current(po, tmp_path):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: python scripts/i18n.py compile"
    fresh = tmp_path / "fresh.mo"
    polib.pofile(str(po)).save_as_mofile(str(fresh))
    assert fresh.read_bytes() == mo.read_bytes(), f"{mo} is stale: python scripts/i18n.py compile"
