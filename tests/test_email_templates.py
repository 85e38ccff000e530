"""Every email body Steady writes is a template under an ``email/`` folder
(``templates/<app>/email/`` or an app's own ``templates/``), and every one
of them renders with the context its sender gives it. (allauth's account
emails are allauth's templates, not found here unless Steady overrides one.)
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string

ROOT = Path(settings.BASE_DIR)

# What each sender passes, with sample values: a template missing here fails
# the test below, so a new email comes with its sample.
CONTEXTS = {
    "accounts/email/account_closed.txt": {
        "erase_on": "19 March 2026",
        "restore_url": "https://steady.example/account/restore/eyJ1Ijo1:1abc:xyz/",
        "days": "14",
    },
    "accounts/email/account_closed_subject.txt": {"erase_on": "", "restore_url": "", "days": ""},
    "reminders/email/reminder.txt": {
        "sentence": "Your partner's note & a check-in.",
        "url": "https://steady.example/checkins/7/?from=email&x=1",
        "settings_url": "https://steady.example/settings/notifications/",
    },
}


def _email_templates() -> list[str]:
    folders = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    folders += [p for p in ROOT.glob("*/templates") if p.is_dir()]
    found = set()
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and "email" in path.relative_to(folder).parts[:-1]:
                found.add(path.relative_to(folder).as_posix())
    return sorted(found)


def test_email_templates_are_found():
    assert "reminders/email/reminder.txt" in _email_templates()


@pytest.mark.parametrize("name", _email_templates())
def test_every_email_template_renders_with_what_its_sender_passes(name, monkeypatch):
    assert name in CONTEXTS, f"{name}: add the context its sender passes to CONTEXTS"
    # A variable the sender does not pass would render as "" and go unseen.
    monkeypatch.setattr(engines["django"].engine, "string_if_invalid", "INVALID<%s>")

    body = render_to_string(name, CONTEXTS[name])

    assert "INVALID<" not in body
    assert "{{" not in body and "{%" not in body and "{#" not in body
    for value in CONTEXTS[name].values():
        assert value in body  # plain text: nothing escaped


def test_the_reminder_email_body_is_the_fixed_wording_and_links():
    body = render_to_string("reminders/email/reminder.txt", CONTEXTS["reminders/email/reminder.txt"])

    assert body == (
        "Hello,\n\nYour partner's note & a check-in.\n\n"
        "Open Steady: https://steady.example/checkins/7/?from=email&x=1\n\n"
        "You can change which reminders you get in Settings: https://steady.example/settings/notifications/\n"
    )
