"""Doors that open one way (issue #17, docs/ARCHITECTURE.md): the
import-linter contracts of pyproject.toml hold, and the registries through
which lower apps meet the features built on them are filled."""

from pathlib import Path

from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_imports_follow_the_layers(capsys):
    # Function-local imports count too: move or register, never hide.
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)

    report = capsys.readouterr().out
    assert exit_code == EXIT_STATUS_SUCCESS, report
    # Both contracts ran (a contract deleted from pyproject.toml fails here).
    assert "Contracts: 2 kept, 0 broken." in report, report


def test_each_feature_registers_its_reminder_kinds():
    from reminders.kinds import KINDS

    owners = {key: kind.load.__module__ for key, kind in KINDS.items()}

    assert owners["checkin_before"] == "checkins.reminder_kinds"
    assert owners["live_resume"] == "checkins.reminder_kinds"
    assert owners["gratitude_delivered"] == "gratitude.reminder_kinds"
    assert owners["therapist_grant_requested"] == "therapists.reminder_kinds"
    assert owners["daily_question"] == "daily.reminder_kinds"
    assert owners["checkup_due"] == "checkups.reminder_kinds"
    assert owners["couple_ended"] == "home.reminder_kinds"
    assert owners["reassurance_ritual"] == "reassurance.reminder_kinds"
    assert owners["therapist_practice_proposed"] == "therapists.reminder_kinds"
    assert owners["therapist_practice_due"] == "therapists.reminder_kinds"
    assert not any(module.startswith("reminders.") for module in owners.values())
    # The safety check asks again only in the app, on the person's own home
    # page: it has no reminder kind, so no push, email or notification.
    assert not any(module.startswith("safety.") for module in owners.values())


def test_erasure_closes_the_couple_before_the_journal_key_goes():
    from accounts import erasure

    assert list(erasure.steps()) == [
        "couples.account_erasure.on_account_erasure",
        "journal.account_erasure.on_account_erasure",
        "daily.account_erasure.on_account_erasure",
        "checkups.account_erasure.on_account_erasure",
        "repair.account_erasure.on_account_erasure",
        "reassurance.account_erasure.on_account_erasure",
        "therapists.account_erasure.on_account_erasure",
        "safety.account_erasure.on_account_erasure",
    ]


def test_closing_an_account_ends_the_couple_and_a_therapists_access_at_once():
    from accounts import erasure

    assert list(erasure.close_steps()) == [
        "couples.account_erasure.on_account_close",
        "therapists.account_erasure.on_account_close",
    ]
