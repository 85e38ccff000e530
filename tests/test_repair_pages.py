"""The repair conversation's pages through Django's test client: start
(alone or after a time-out), answer step by step, a draft that stays
private, the reveal side by side, final answers, the trigger-log link kept
private, a break, a stop, the closed states; a stranger gets 404; query
counts pinned."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from journal import services as journal
from repair import conversation, services
from repair.conversation import STEP_KEYS
from repair.models import Commitment, Repair, RepairAnswer

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    page = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#x27;", "'").replace("&quot;", '"')


def send(client, rid, step, value, action="send", **extra):
    data = {"step": step, "action": action, **extra}
    if step == "commitment":
        data.setdefault("text", value)
    else:
        data["value"] = value
    return client.post(f"/repair/{rid}/", data)


@pytest.fixture
def repair(couple, alice):
    return conversation.repair_start(couple=couple, user=alice).pk


def test_start_from_the_index(couple, alice, bob):
    page = web(alice).get("/repair/")
    assert page.status_code == 200 and 'data-testid="repair-start"' in page.content.decode()
    response = web(alice).post("/repair/")
    rid = Repair.objects.get().pk
    assert response["Location"] == f"/repair/{rid}/"
    # A second start lands on the open one.
    again = web(bob).post("/repair/")
    assert again["Location"] == f"/repair/{rid}/" and Repair.objects.count() == 1
    assert 'data-testid="repair-continue"' in web(bob).get("/repair/").content.decode()


def test_start_after_a_time_out(couple, alice, bob):
    rules = services.timeout_rules_propose(couple=couple, user=alice, signal="Pause", max_minutes=60)
    services.timeout_rules_accept(rules=rules, user=bob, version=1)
    period = services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
    web(bob).post(f"/space/{period.pk}/reconnect/")
    back = web(bob).get(f"/timeout/{period.pk}/").content.decode()
    assert 'data-testid="repair-start-from-timeout"' in back
    web(bob).post("/repair/", {"timeout": str(period.pk)})
    assert Repair.objects.get().timeout_id == period.pk


def test_step_by_step_in_the_pages(couple, alice, bob, repair):
    first = web(alice).get(f"/repair/{repair}/")
    assert "Step 1 of 5" in text_of(first) and "What I felt" in text_of(first)
    assert send(web(alice), repair, "felt", "SECRET-ALICE-FELT").status_code == 302
    waiting = web(alice).get(f"/repair/{repair}/")
    assert 'data-testid="repair-waiting"' in waiting.content.decode()
    bob_page = web(bob).get(f"/repair/{repair}/").content.decode()
    assert "SECRET-ALICE-FELT" not in bob_page and 'data-testid="repair-waiting"' not in bob_page
    send(web(bob), repair, "felt", "SECRET-BOB-FELT")
    both = web(alice).get(f"/repair/{repair}/")
    page = both.content.decode()
    assert 'data-testid="revealed-felt"' in page and "SECRET-BOB-FELT" in page
    assert "Step 2 of 5" in text_of(both)
    # Final: a post to the revealed step changes nothing.
    send(web(alice), repair, "felt", "Rewritten")
    assert RepairAnswer.objects.get(author=alice, step="felt").text == "SECRET-ALICE-FELT"


def test_a_draft_stays_private(couple, alice, bob, repair):
    send(web(alice), repair, "felt", "SECRET-DRAFT", action="draft")
    send(web(bob), repair, "felt", "Bob sent")
    assert "SECRET-DRAFT" not in web(bob).get(f"/repair/{repair}/").content.decode()
    mine = web(alice).get(f"/repair/{repair}/").content.decode()
    assert "SECRET-DRAFT" in mine and 'data-testid="revealed-felt"' not in mine


def test_an_empty_answer_shows_a_field_error(couple, alice, repair):
    response = send(web(alice), repair, "felt", "   ")
    assert response.status_code == 200 and "Write something here" in text_of(response)
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_trigger_link_is_mine_alone(couple, alice, bob, repair):
    entry = journal.entry_create(
        author=alice, kind="trigger", text="SEALED", trigger_category="no_reply", intensity_before=6
    )
    for key in ("felt", "needed"):
        send(web(alice), repair, key, "A")
        send(web(bob), repair, key, "B")
    page = web(alice).get(f"/repair/{repair}/").content.decode()
    assert 'name="trigger_entry"' in page and "No reply from my partner" in page
    assert 'name="trigger_entry"' not in web(bob).get(f"/repair/{repair}/").content.decode()
    send(web(alice), repair, "set_off", "Old stuff", trigger_entry=str(entry.pk))
    send(web(bob), repair, "set_off", "Tired")
    bob_page = web(bob).get(f"/repair/{repair}/").content.decode()
    assert "Old stuff" in bob_page and "No reply from my partner" not in bob_page and "SEALED" not in bob_page


def test_the_commitment_and_the_finished_page(couple, alice, bob, repair):
    for key in STEP_KEYS[:-1]:
        send(web(alice), repair, key, "A")
        send(web(bob), repair, key, "B")
    bad = send(web(alice), repair, "commitment", "Ask for a pause")
    assert bad.status_code == 200 and "Choose when" in text_of(bad)
    send(web(alice), repair, "commitment", "Ask for a pause", due_date="2026-03-07", due_time="20:00")
    send(web(bob), repair, "commitment", "Say the signal", due_date="2026-03-08", due_time="09:30")
    done = web(alice).get(f"/repair/{repair}/")
    assert 'data-testid="repair-commitments"' in done.content.decode()
    assert "Ask for a pause" in text_of(done) and "Say the signal" in text_of(done)
    # Alice is in Berlin: 20:00 there is 19:00 UTC.
    assert Commitment.objects.get(author=alice).due_at == dt.datetime(2026, 3, 7, 19, 0, tzinfo=UTC)


def test_a_break_and_a_stop(couple, alice, bob, repair):
    assert 'data-testid="repair-break"' not in web(alice).get(f"/repair/{repair}/").content.decode()
    rules = services.timeout_rules_propose(couple=couple, user=alice, signal="Pause", max_minutes=60)
    services.timeout_rules_accept(rules=rules, user=bob, version=1)
    page = web(alice).get(f"/repair/{repair}/").content.decode()
    assert 'data-testid="repair-break"' in page and 'href="/timeout/"' in page
    web(bob).post(f"/repair/{repair}/", {"action": "stop"})
    stopped = web(alice).get(f"/repair/{repair}/")
    assert "was stopped" in text_of(stopped) and 'data-testid="repair-step-form"' not in stopped.content.decode()


def test_the_partner_has_nothing_to_chase_with(couple, alice, bob, repair):
    send(web(alice), repair, "felt", "A")
    page = web(bob).get(f"/repair/{repair}/").content.decode().lower()
    for word in ("nudge", "remind", "hasn't answered", "still waiting for"):
        assert word not in page


def test_a_stranger_gets_404(couple, repair, mallory, mallory_couple):
    assert web(mallory).get(f"/repair/{repair}/").status_code == 404
    assert web(mallory).post(f"/repair/{repair}/", {"action": "stop"}).status_code == 404
    assert Repair.objects.get().status == "open"


def test_query_counts(couple, alice, bob, repair, django_assert_max_num_queries):
    for key in STEP_KEYS[:2]:
        send(web(alice), repair, key, "A")
        send(web(bob), repair, key, "B")
    client = web(alice)
    client.get(f"/repair/{repair}/")
    with django_assert_max_num_queries(10):
        assert client.get(f"/repair/{repair}/").status_code == 200
    # + the time-to-repair trend (one query, repair.trend)
    with django_assert_max_num_queries(6):
        assert client.get("/repair/").status_code == 200


def test_admin_shows_no_answer_text(couple, alice, bob, repair, admin_client):
    send(web(alice), repair, "felt", "SECRET-ADMIN")
    assert admin_client.get("/admin/repair/repair/").status_code == 200
    page = admin_client.get(f"/admin/repair/repair/{repair}/change/").content.decode()
    assert "SECRET-ADMIN" not in page


def test_times_are_on_each_persons_own_clock(couple, alice, bob, repair):
    for key in STEP_KEYS[:-1]:
        send(web(alice), repair, key, "A")
        send(web(bob), repair, key, "B")
    # Bob (New York) drafts 19:30 on 9 March, the day after the clocks
    # spring forward there: 23:30 UTC, and his draft comes back as he typed it.
    send(web(bob), repair, "commitment", "Say it", action="draft", due_date="2026-03-09", due_time="19:30")
    assert RepairAnswer.objects.get(author=bob, step="commitment").due_at == dt.datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    page = web(bob).get(f"/repair/{repair}/").content.decode()
    assert 'value="2026-03-09"' in page and 'value="19:30"' in page
    send(web(bob), repair, "commitment", "Say it", due_date="2026-03-09", due_time="19:30")
    send(web(alice), repair, "commitment", "Ask", due_date="2026-03-09", due_time="20:00")
    # Each sees both dates on their own clock: Alice in Berlin, Bob in New York.
    assert "by Tue 10 Mar, 00:30" in text_of(web(alice).get(f"/repair/{repair}/"))
    bob_view = text_of(web(bob).get(f"/repair/{repair}/"))
    assert "by Mon 9 Mar, 19:30" in bob_view and "by Mon 9 Mar, 15:00" in bob_view
    assert "Open until" not in bob_view  # finished: no expiry line
