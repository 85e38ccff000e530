"""The accessibility statement: public, linked from every page's footer,
and it says what docs/accessibility.md and the e2e tests hold it to."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
def test_public_and_says_the_target(client):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "WCAG" in text and "2.2" in text and "AA" in text
    assert "Known limitations" in text and "mailto:" in text
    assert 'data-testid="a11y-reviewed"' in text


@pytest.mark.django_db
def test_linked_from_the_footer_signed_in_or_not(client):
    link = f'href="{reverse("accessibility")}"'
    assert link in client.get("/accounts/login/").content.decode()
    client.force_login(UserFactory())
    assert link in client.get("/accessibility/").content.decode()
    assert link in client.get("/settings/").content.decode()


@pytest.mark.django_db
def test_right_to_left_in_arabic(client):
    client.cookies["django_language"] = "ar"
    text = client.get("/accessibility/").content.decode()
    assert '<html lang="ar" dir="rtl">' in text


@pytest.mark.django_db
def test_only_get(client):
    assert client.post("/accessibility/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es", "de", "ar"])
def test_the_contact_is_the_setting_in_every_language(client, settings, language):
    settings.STEADY_ACCESSIBILITY_CONTACT = "access@steady.example"
    client.cookies["django_language"] = language

    text = client.get("/accessibility/").content.decode()

    # An address is not translated (translate="no"): a browser's page
    # translation would otherwise turn it into words.
    assert '<a href="mailto:access@steady.example" translate="no">access@steady.example</a>' in text
    assert "steady.invalid" not in text


def _setting_with(env: dict) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    keep = {k: v for k, v in os.environ.items() if k not in {"DEFAULT_FROM_EMAIL", "STEADY_ACCESSIBILITY_CONTACT"}}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from backend import settings; print(settings.STEADY_ACCESSIBILITY_CONTACT)"],
        cwd=root,
        env={**keep, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_the_contact_comes_from_the_environment_else_the_senders_domain():
    assert _setting_with({}) == "accessibility@steady.invalid"
    assert _setting_with({"DEFAULT_FROM_EMAIL": "Steady <no-reply@steady.example>"}) == "accessibility@steady.example"
    assert (
        _setting_with(
            {
                "DEFAULT_FROM_EMAIL": "Steady <no-reply@steady.example>",
                "STEADY_ACCESSIBILITY_CONTACT": "a11y@help.example",
            }
        )
        == "a11y@help.example"
    )
