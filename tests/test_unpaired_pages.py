"""Every couple page sends an unpaired person to the pairing page, with one
line saying why (issue #20, item 2). The API keeps its 404s."""

import pytest
from django.urls import get_resolver, reverse
from django.utils.html import escape

from couples.decorators import NOT_PAIRED

from .conftest import client_for

# Every page under these prefixes is a couple page, plus the journal's shared part.
COUPLE_PREFIXES = ("checkins/", "gratitude/", "space/", "agreements/", "timeout/", "repair/")
COUPLE_NAMES = {"journal-shared"}


def _couple_page_patterns():
    found = []
    for app in ("checkins", "gratitude", "space", "agreements", "repair", "journal"):
        module = __import__(f"{app}.web_urls", fromlist=["urlpatterns"])
        for pattern in module.urlpatterns:
            route = str(pattern.pattern)
            if route.startswith(COUPLE_PREFIXES) or pattern.name in COUPLE_NAMES:
                found.append(pattern)
    return found


def _url(pattern) -> str:
    kwargs = {name: 1 for name in pattern.pattern.regex.groupindex}
    return reverse(pattern.name, kwargs=kwargs)


def test_every_couple_page_is_gated():
    patterns = _couple_page_patterns()
    assert len(patterns) > 30
    for pattern in patterns:
        assert getattr(pattern.callback, "couple_required", False), pattern.name
    assert get_resolver()  # the URLconf loads with the gate in place


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_unpaired_person_is_sent_to_pairing_with_a_reason(mallory, method):
    client = client_for(mallory)
    client.force_login(mallory)
    for pattern in _couple_page_patterns():
        url = _url(pattern)
        response = getattr(client, method)(url)
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"] == reverse("pair"), url
    page = client.get(reverse("pair"))
    assert escape(NOT_PAIRED) in page.content.decode()


@pytest.mark.django_db
def test_a_paired_person_still_reaches_the_pages(alice, couple):
    client = client_for(alice)
    client.force_login(alice)
    for name in ("checkins", "gratitude", "space", "agreements", "timeout", "repair", "journal-shared"):
        assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.django_db
def test_the_api_keeps_its_404(mallory):
    client = client_for(mallory)
    assert client.get("/api/v1/checkins/").status_code == 404


@pytest.mark.django_db
def test_after_leaving_both_land_on_the_ended_page(alice, bob, couple, password):
    from couples.decorators import COUPLE_ENDED
    from couples.services import couple_leave
    from reminders.models import Notification

    old = Notification.objects.create(
        user=bob, kind="checkin", title="Your partner started a check-in", url="/checkins/1/"
    )
    couple_leave(user=alice, password=password)
    for person in (alice, bob):
        client = client_for(person)
        client.force_login(person)
        for name in ("checkins", "gratitude", "agreements", "checkins-history"):
            response = client.get(reverse(name))
            assert response["Location"] == reverse("couple-ended"), name
        page = client.get(reverse("couple-ended"))
        body = page.content.decode()
        assert page.status_code == 200
        assert escape(COUPLE_ENDED) in body
        assert reverse("journal") in body and reverse("api-me-export") in body and reverse("pair") in body
    client = client_for(bob)
    client.force_login(bob)
    tapped = client.post(reverse("notification-open", args=[old.pk]), follow=True)
    # The history of what bob wrote in that couple (tests/test_couple_history.py).
    assert tapped.redirect_chain[-1][0] == reverse("couple-history", args=[couple.pk])


@pytest.mark.django_db
def test_the_ended_page_is_only_for_former_members(alice, couple, mallory):
    client = client_for(alice)
    client.force_login(alice)
    assert client.get(reverse("couple-ended"))["Location"] == reverse("home")
    client.force_login(mallory)
    assert client.get(reverse("couple-ended"))["Location"] == reverse("pair")
