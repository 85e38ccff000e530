"""The repair conversation's live socket through the real ASGI
application: both partners connected, a step revealed to both without a
reload, the partner's answer null on the socket until the reveal (the same
snapshot as REST), strangers refused at the handshake, the couple's end
closes it, and the socket writes nothing."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from backend.asgi import application
from couples.services import couple_leave
from repair import conversation
from repair.models import RepairAnswer

from .factories import PASSWORD
from .test_live import bearer, cookie, refused, run, until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def socket(repair, headers):
    return WebsocketCommunicator(application, f"/ws/repairs/{repair.pk}/", headers=headers)


def step(snapshot, key):
    return next(s for s in snapshot["repair"]["steps"] if s["key"] == key)


@pytest.fixture
def repair(couple, alice):
    return conversation.repair_start(couple=couple, user=alice)


def test_a_step_is_revealed_live_to_both(repair, alice, bob):
    alice_headers, bob_headers = bearer(alice), cookie(bob)

    async def scenario():
        a, b = socket(repair, alice_headers), socket(repair, bob_headers)
        assert (await a.connect())[0] and (await b.connect())[0]
        first_a = await a.receive_json_from(timeout=3)
        await b.receive_json_from(timeout=3)
        assert first_a["type"] == "snapshot" and step(first_a, "felt")["state"] == "open"

        answer = database_sync_to_async(conversation.repair_answer)
        await answer(repair_id=repair.pk, user=alice, step="felt", text="SECRET-ALICE")
        # Alice's sending is not an event: Bob's socket hears nothing yet.
        assert await b.receive_nothing(timeout=0.5)
        await answer(repair_id=repair.pk, user=bob, step="felt", text="SECRET-BOB")

        for comm, partner_text in ((a, "SECRET-BOB"), (b, "SECRET-ALICE")):
            event, _ = await until(comm, lambda m: m["type"] == "event")
            assert event["kind"] == "step_revealed" and event["data"] == {"step": "felt"}
            snap, _ = await until(comm, lambda m: m["type"] == "snapshot")
            assert step(snap, "felt")["state"] == "revealed"
            assert step(snap, "felt")["partner"]["text"] == partner_text
            assert step(snap, "needed")["state"] == "open" and step(snap, "needed")["partner"] is None
        await a.disconnect()
        await b.disconnect()

    run(scenario)


def test_the_socket_shows_no_unrevealed_answer_and_writes_nothing(repair, alice, bob):
    conversation.repair_answer(repair_id=repair.pk, user=alice, step="felt", text="SECRET-ALICE")
    bob_headers = bearer(bob)

    async def scenario():
        b = socket(repair, bob_headers)
        assert (await b.connect())[0]
        first = await b.receive_json_from(timeout=3)
        assert "SECRET-ALICE" not in str(first) and step(first, "felt")["partner"] is None
        assert step(first, "felt")["state"] == "open"  # nothing says Alice answered
        await b.send_json_to({"type": "answer", "step": "felt", "value": "via socket"})
        error = await b.receive_json_from(timeout=3)
        assert error["type"] == "error" and error["code"] == 400
        await b.send_json_to({"type": "sync"})
        assert (await b.receive_json_from(timeout=3))["type"] == "snapshot"
        await b.disconnect()

    run(scenario)
    assert not RepairAnswer.objects.filter(author=bob).exists()


@pytest.mark.parametrize("who", ["mallory", "theo", "anonymous"])
def test_strangers_are_refused_at_the_handshake(request, repair, mallory_couple, who):
    headers = [(b"origin", b"http://localhost")] if who == "anonymous" else bearer(request.getfixturevalue(who))

    async def scenario():
        assert await refused(socket(repair, headers))
        missing = WebsocketCommunicator(application, "/ws/repairs/987654321/", headers=headers)
        assert await refused(missing)

    run(scenario)


def test_leaving_the_couple_closes_the_socket(repair, alice, bob):
    bob_headers = bearer(bob)

    async def scenario():
        b = socket(repair, bob_headers)
        assert (await b.connect())[0]
        await b.receive_json_from(timeout=3)
        await database_sync_to_async(couple_leave)(user=alice, password=PASSWORD)
        output = await b.receive_output(timeout=3)
        assert output == {"type": "websocket.close", "code": 4410}

    run(scenario)
