"""The time-out pages through Django's test client: agreeing the rules
(each partner writes only their own "during" text), one tap from home,
taking a time-out within the rules, the partner's calm status with nothing
to press, and coming back to a plain confirmation (no dead link)."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from repair import services
from repair.models import TimeoutDuring, TimeoutRules
from space.models import SpacePeriod
from space.services import space_reconnect

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # 19:00 in Berlin (alice), 13:00 in New York (bob)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    page = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#x27;", "'").replace("&quot;", '"')


@pytest.fixture
def rules(couple, alice, bob):
    r = services.timeout_rules_propose(
        couple=couple, user=alice, signal="Pause, please", max_minutes=120, during="Alice walks"
    )
    return services.timeout_rules_accept(rules=r, user=bob, version=1)


def test_home_links_to_agree_rules_when_there_are_none(couple, alice):
    page = web(alice).get("/")
    assert 'data-testid="home-agree-rules"' in page.content.decode()
    assert 'data-testid="home-take-timeout"' not in page.content.decode()
    take = web(alice).get("/timeout/")
    assert 'data-testid="timeout-no-rules"' in take.content.decode()


def test_home_offers_one_tap_to_a_time_out_when_rules_are_active(couple, alice, rules):
    page = web(alice).get("/").content.decode()
    assert 'data-testid="home-take-timeout"' in page and 'href="/timeout/"' in page


def test_agree_the_rules_on_the_page(couple, alice, bob):
    alice_web, bob_web = web(alice), web(bob)
    response = alice_web.post(
        "/timeout/rules/",
        {"action": "propose", "signal": "Pause, please", "min_minutes": 20, "max_minutes": 90, "during": "I walk"},
    )
    assert response.status_code == 302
    page = text_of(bob_web.get("/timeout/rules/"))
    assert "Proposed by Alice" in page and "I walk" in page
    # Bob adds his own text: a new version, which Alice then accepts.
    rules = TimeoutRules.objects.get()
    bob_web.post(
        "/timeout/rules/",
        {
            "action": "amend",
            "version": 1,
            "signal": "Pause, please",
            "min_minutes": 20,
            "max_minutes": 90,
            "during": "I make tea",
        },
    )
    assert dict(TimeoutDuring.objects.filter(version__number=2).values_list("author_id", "text")) == {
        alice.pk: "I walk",
        bob.pk: "I make tea",
    }
    alice_page = alice_web.get("/timeout/rules/").content.decode()
    assert 'data-testid="accept-rules"' in alice_page
    alice_web.post("/timeout/rules/", {"action": "accept", "version": 2})
    rules.refresh_from_db()
    assert rules.status == "active" and rules.active_version == 2


def test_a_bad_rule_shows_a_field_error_not_a_500(couple, alice):
    response = web(alice).post(
        "/timeout/rules/", {"action": "propose", "signal": "", "min_minutes": 10, "max_minutes": 5000}
    )
    assert response.status_code == 200
    assert not TimeoutRules.objects.exists()
    assert response.content.decode().count('class="error"') >= 2


def test_take_a_time_out_then_the_partner_sees_a_calm_status(couple, alice, bob, rules):
    response = web(bob).post("/timeout/", {"when": "30m"})
    period = SpacePeriod.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/timeout/{period.pk}/"
    assert period.kind == "timeout" and period.reconnect_by == NOW + dt.timedelta(minutes=30)

    mine = text_of(web(bob).get(f"/timeout/{period.pk}/"))
    assert "You're taking a time-out" in mine and "13:30" in mine and "We'll remind you at 13:30." in mine

    theirs = web(alice).get(f"/timeout/{period.pk}/")
    text = text_of(theirs)
    assert "Bob is taking a time-out and plans to reconnect by 19:30." in text
    html = theirs.content.decode().lower()
    for word in ("nudge", "are you back", "poke", 'data-testid="reconnect"', "/extend/", "/reconnect/"):
        assert word not in html
    home = text_of(web(alice).get("/"))
    assert "Bob is taking a time-out and plans to reconnect by 19:30." in home


def test_a_time_outside_the_rules_is_a_form_error(couple, bob, rules):
    response = web(bob).post("/timeout/", {"when": "custom", "custom_time": "17:00"})  # 4 hours on
    assert response.status_code == 200 and "at most 120 minutes" in text_of(response)
    assert not SpacePeriod.objects.exists()


def test_coming_back_shows_a_plain_confirmation_without_a_dead_link(couple, alice, bob, rules):
    period = services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
    response = web(bob).post(f"/space/{period.pk}/reconnect/")
    assert response["Location"] == f"/timeout/{period.pk}/"
    page = web(bob).get(f"/timeout/{period.pk}/").content.decode()
    assert 'data-testid="repair-offer"' in page and "You're back" in page.replace("&#x27;", "'")
    offer = re.search(r'<p[^>]*data-testid="repair-offer"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "<a" not in offer
    assert 'data-testid="repair-offer"' in web(alice).get(f"/timeout/{period.pk}/").content.decode()


def test_a_stranger_gets_404(mallory_couple, mallory, couple, bob, rules):
    period = services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
    assert web(mallory).get(f"/timeout/{period.pk}/").status_code == 404


def test_extending_a_time_out_offers_only_times_inside_its_maximum(couple, bob, rules):
    # 30 minutes of a 120-minute maximum: +30 min and +1 hour fit, +2 hours does not.
    period = services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
    page = web(bob).get(f"/space/{period.pk}/extend/").content.decode()
    assert 'value="30m"' in page and 'value="1h"' in page and 'value="2h"' not in page
    response = web(bob).post(f"/space/{period.pk}/extend/", {"when": "1h"})
    assert response["Location"] == f"/timeout/{period.pk}/"
    period.refresh_from_db()
    assert period.reconnect_by == NOW + dt.timedelta(minutes=90)


def test_the_space_page_names_a_time_out_as_one(couple, bob, rules):
    services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
    assert "You're taking a time-out" in text_of(web(bob).get("/space/"))


def test_admin_lists_rules_without_during_texts(couple, alice, rules):
    from accounts.models import User

    admin = User.objects.create_superuser(email="admin@example.com", password="x-long-password-1")
    client = web(admin)
    assert client.get("/admin/repair/timeoutrules/").status_code == 200
    assert client.get(f"/admin/repair/timeoutrules/{rules.pk}/change/").status_code == 200
    listing = client.get("/admin/repair/timeoutduring/").content.decode()
    assert "Alice walks" not in listing


def test_list_queries_do_not_grow_with_versions(couple, alice, bob, rules, django_assert_max_num_queries):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alice)
    for n in range(2, 8):
        r = TimeoutRules.objects.get()
        proposer, other = (alice, bob) if n % 2 else (bob, alice)
        services.timeout_rules_amend(rules=r, user=proposer, version=r.version, changes={"max_minutes": 60 + n})
        services.timeout_rules_accept(rules=TimeoutRules.objects.get(), user=other, version=n)
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/timeout-rules/").json()
    assert body["results"][0]["version"] == 7
    for _ in range(3):
        services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
        space_reconnect(period=SpacePeriod.objects.get(status="open"), user=bob)
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/timeouts/").json()["count"] == 3
