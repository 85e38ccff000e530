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
