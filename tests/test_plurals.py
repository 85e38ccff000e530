"""Issue #20, item 8: a count is never followed by a naive plural ("2 new
notification", "1 days"). Every count in a template goes through
``pluralize`` (or an ``{% if n == 1 %}`` branch), every count in Python
through ``ngettext``. This test reads the templates and the apps' Python and
fails on a number written straight before a counted noun."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "agreements",
    "backend",
    "checkins",
    "couples",
    "gratitude",
    "home",
    "journal",
    "pwa",
    "reassurance",
    "reminders",
    "repair",
    "space",
    "therapists",
]

# Nouns people count in Steady, singular; the plural is the noun + "s"
# unless given.
NOUNS = {
    "answer": "answers",
    "agreement": "agreements",
    "break": "breaks",
    "character": "characters",
    "check-in": "check-ins",
    "day": "days",
    "entry": "entries",
    "hour": "hours",
    "level": "levels",
    "log": "logs",
    "minute": "minutes",
    "moment": "moments",
    "month": "months",
    "note": "notes",
    "notification": "notifications",
    "option": "options",
    "partner": "partners",
    "promise": "promises",
    "question": "questions",
    "reflection": "reflections",
    "second": "seconds",
    "step": "steps",
    "tag": "tags",
    "time": "times",
    "trigger": "triggers",
    "week": "weeks",
    "year": "years",
}
WORDS = "|".join(re.escape(w) for w in sorted({*NOUNS, *NOUNS.values()}, key=len, reverse=True))
# Words that may sit between the number and the noun.
BETWEEN = r"(?:(?:new|more|extra|other|short|hard|unread|whole)\s+)?"

# {{ n }} noun — not followed by {{ n|pluralize }}.
TEMPLATE_COUNT = re.compile(
    r"\{\{\s*(?P<expr>[^}|]+?)\s*(?P<filters>\|[^}]*)?\}\}\s+"
    + BETWEEN
    + r"(?P<noun>"
    + WORDS
    + r")\b(?!-)(?!\{\{[^}]*pluralize)"
)
# f"... {n} noun ..." in Python.
PYTHON_COUNT = re.compile(
    r"\{(?P<expr>[^{}:!]+)(?P<spec>[:!][^{}]*)?\}\s+" + BETWEEN + r"(?P<noun>" + WORDS + r")\b(?!-)"
)
CONSTANT = re.compile(r"^(?:[\w.]+\.)?[A-Z][A-Z0-9_]*$")
# What stands before such a word without being a number ("Bob answers",
# "Europe/Berlin time"), and fixed limits passed to a template ("text_max").
NOT_A_COUNT = re.compile(r"(name|timezone|label|secret|_max|_min|\bmax|\bmin)\b")
# ${n} noun in the pages' JavaScript.
SCRIPT_COUNT = re.compile(r"\$\{(?P<expr>[^{}]+)\}\s+" + BETWEEN + r"(?P<noun>" + WORDS + r")\b(?!-)")
# A line (or the line above it) that says why a plain plural is right.
ALLOW = "plural-ok"


# A {% blocktranslate count %} message is a real plural (one form per number
# in each language): what it holds is never a naive plural.
COUNTED_MESSAGE = re.compile(r"\{%\s*blocktrans(?:late)?\b[^%]*\bcount\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S)


def _template_offences(path: Path) -> list[str]:
    found = []
    text = COUNTED_MESSAGE.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text())
    for number, line in enumerate(text.splitlines(), start=1):
        for match in TEMPLATE_COUNT.finditer(line):
            expr = match["expr"].strip()
            filters = match["filters"] or ""
            if "date" in filters or "floatformat" in filters or "time" in filters or NOT_A_COUNT.search(expr):
                continue  # a date, an average, a name, a fixed limit: not a count
            if re.search(r"\{%\s*if\s+" + re.escape(expr) + r"\s*==\s*1\s*%\}", line):
                continue  # "once" / "{{ n }} times": a branch of its own
            if re.search(r"\{%\s*blocktrans(?:late)?\b[^%]*\bcount\b", line):
                continue  # a real plural message: {% blocktranslate count %} … {% plural %} … (issue #26)
            found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    return found


def _python_offences(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if "ngettext" in line or not re.search(r"\bf[\"']", line):
            continue
        for match in PYTHON_COUNT.finditer(line):
            expr = match["expr"].strip()
            if CONSTANT.match(expr) or NOT_A_COUNT.search(expr):
                continue  # a fixed limit (more than one by construction), a name
            found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    return found


def _script_offences(path: Path) -> list[str]:
    found = []
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines, start=1):
        if ALLOW in line or (number > 1 and ALLOW in lines[number - 2]):
            continue
        for match in SCRIPT_COUNT.finditer(line):
            if CONSTANT.match(match["expr"].strip()) or NOT_A_COUNT.search(match["expr"]):
                continue
            found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    return found


def test_no_naive_plural_in_scripts():
    offences = [o for path in sorted((ROOT / "static" / "js").glob("*.js")) for o in _script_offences(path)]
    assert not offences, "a count before a noun in JavaScript, without a choice of word:\n" + "\n".join(offences)


def test_no_naive_plural_in_templates():
    offences = [o for path in sorted((ROOT / "templates").rglob("*.html")) for o in _template_offences(path)]
    offences += [o for path in sorted((ROOT / "templates").rglob("*.txt")) for o in _template_offences(path)]
    assert not offences, "a count before a noun without pluralize:\n" + "\n".join(offences)


def test_no_naive_plural_in_python():
    offences = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            offences += _python_offences(path)
    assert not offences, "a count before a noun without ngettext:\n" + "\n".join(offences)


def test_the_scanner_finds_what_it_is_for(tmp_path):
    # The test can fail: each of these is caught, each fixed form is not.
    bad = tmp_path / "bad.html"
    bad.write_text(
        "You have {{ unread }} new notification\n{{ n }} days left\n{{ c.total }} check-ins\n<p>{{ weeks }} weeks</p>\n"
    )
    good = tmp_path / "good.html"
    good.write_text(
        "You have {{ unread }} new notification{{ unread|pluralize }}\n"
        '{{ n }} {{ n|pluralize:"day,days" }}\n{{ when|date:"j F" }} times\n'
        "{% if x == 1 %}once{% else %}{{ x }} times{% endif %}\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert len(_template_offences(bad)) == 4
        assert _template_offences(good) == []
        code = tmp_path / "code.py"
        code.write_text(
            'a = f"last {weeks} weeks"\nb = f"Every {days} days"\n'
            'c = f"under {TITLE_MAX} characters"\nd = ngettext(f"{n} day", f"{n} days", n)\n'
        )
        assert [o.split(": ", 1)[1] for o in _python_offences(code)] == ["{weeks} weeks", "{days} days"]
        script = tmp_path / "page.js"
        script.write_text(
            "a = `${left} characters left`;\n"
            'b = `${left} ${left === 1 ? "character" : "characters"} left`;\n'
            "// plural-ok: always many\nc = `${m} minutes`;\n"
        )
        assert [o.split(": ", 1)[1] for o in _script_offences(script)] == ["${left} characters"]
    finally:
        ROOT = saved


@pytest.mark.django_db
@pytest.mark.parametrize("count, words", [(1, "You have 1 new notification<"), (2, "You have 2 new notifications<")])
def test_the_home_page_counts_notifications_in_words(alice, couple, count, words):
    from django.test import Client

    from reminders.models import Notification

    for _ in range(count):
        Notification.objects.create(user=alice, kind="checkin_started", title="Your partner started a check-in")
    client = Client()
    client.force_login(alice)
    assert words in client.get("/").content.decode()
