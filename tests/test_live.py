"""Live check-in sessions through the real ASGI application."""

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from knox.models import AuthToken

from backend.asgi import application
from checkins import selectors, services
from checkins.models import Answer, Event, Format
from reminders.models import Reminder

from .factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PULSE = [("mood", 4), ("appreciated", "SECRET-A"), ("need", "SECRET-N")]
BOB_PULSE = [("mood", 2), ("appreciated", "BOB-A"), ("need", "BOB-N")]


def run(scenario, timeout: float = 60):
    """Runs an async scenario on its own (daemon) thread: after any
    Playwright test the main thread keeps an event loop running, where
    async_to_sync cannot. A scenario that hangs fails the test instead of
    blocking the run."""
    import threading

    from channels.layers import channel_layers

    # Each scenario runs on a new event loop; channels-redis binds its locks
    # to the loop that first used them, so every scenario gets its own layer.
    channel_layers.backends.clear()
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = async_to_sync(scenario)()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"scenario did not finish within {timeout} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


async def refused(comm) -> bool:
    """Whether the handshake was refused; the socket is cleaned up either way."""
    connected, _code = await comm.connect()
    await comm.disconnect()
    return not connected


def token_for(user) -> str:
    return AuthToken.objects.create(user=user)[1]


def bearer(user, *, origin: str | None = None) -> list:
    headers = [(b"authorization", f"Bearer {token_for(user)}".encode())]
    if origin:
        headers.append((b"origin", origin.encode()))
    return headers


def cookie(client_user) -> list:
    from django.test import Client

    client = Client()
    client.force_login(client_user)
    sessionid = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return [
        (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={sessionid}".encode()),
        (b"origin", b"http://localhost"),
    ]


def socket(checkin, headers):
    return WebsocketCommunicator(application, f"/ws/checkins/{checkin.pk}/", headers=headers)


async def until(comm, predicate, limit=20):
    """Reads messages until one matches (hints may interleave)."""
    seen = []
    for _ in range(limit):
        message = await comm.receive_json_from(timeout=3)
        seen.append(message)
        if predicate(message):
            return message, seen
    raise AssertionError(f"no matching message in {seen}")


@pytest.fixture
def checkin(couple, alice):
    return services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))


def test_partners_join_by_bearer_or_cookie_and_see_each_other(checkin, alice, bob):
    alice_headers, bob_headers = bearer(alice), cookie(bob)

    async def scenario():
        a = socket(checkin, alice_headers)
        b = socket(checkin, bob_headers)
        assert (await a.connect())[0] and (await b.connect())[0]
        hello_a, _ = await until(a, lambda m: m["type"] == "hello")
        assert hello_a["me"] == alice.pk
        presence, _ = await until(a, lambda m: m["type"] == "presence" and len(m["here"]) == 2)
        assert presence["here"] == sorted([alice.pk, bob.pk])
        await until(b, lambda m: m["type"] == "presence" and len(m["here"]) == 2)
        await b.disconnect()
        gone, _ = await until(a, lambda m: m["type"] == "presence" and m["here"] == [alice.pk])
        assert gone
        await a.disconnect()

    run(scenario)


@pytest.mark.parametrize("who", ["mallory", "theo", "anonymous"])
def test_strangers_are_refused(request, checkin, mallory_couple, who):
    headers = [(b"origin", b"http://localhost")] if who == "anonymous" else bearer(request.getfixturevalue(who))

    async def scenario():
        assert await refused(socket(checkin, headers))

    run(scenario)


def test_a_token_in_the_url_is_not_accepted(checkin, alice):
    token = token_for(alice)

    async def scenario():
        comm = WebsocketCommunicator(
            application,
            f"/ws/checkins/{checkin.pk}/?token={token}",
            headers=[(b"origin", b"http://localhost")],
        )
        assert await refused(comm)

    run(scenario)


def test_origin_is_validated_for_cookie_sockets(checkin, bob):
    bobs = cookie(bob)

    async def scenario():
        evil = [h for h in bobs if h[0] != b"origin"] + [(b"origin", b"https://evil.example")]
        assert await refused(socket(checkin, evil))
        no_origin = [h for h in bobs if h[0] != b"origin"]
        assert await refused(socket(checkin, no_origin))

    run(scenario)


def test_a_full_session_reveals_each_step_only_when_both_answered(checkin, alice, bob):
    alice_headers, bob_headers = bearer(alice), bearer(bob)

    async def scenario():
        a, b = socket(checkin, alice_headers), socket(checkin, bob_headers)
        await a.connect()
        await b.connect()
        for (step, mine), (_, theirs) in zip(PULSE, BOB_PULSE, strict=True):
            await a.send_json_to({"type": "answer", "step": step, "value": mine})
            hint, _ = await until(b, lambda m: m["type"] == "event" and m["kind"] == "step_answered")
            assert hint["data"] == {"step": step}
            assert "SECRET" not in str(hint)
            snap = await _snapshot(checkin, bob)
            current = snap["steps"][snap["step_index"]]
            assert current["key"] == step and current["partner"] is None and not current["revealed"]

            await b.send_json_to({"type": "answer", "step": step, "value": theirs})
            await until(
                a, lambda m, s=step: m["type"] == "event" and m["kind"] == "step_revealed" and m["data"]["step"] == s
            )
            snap = await _snapshot(checkin, alice)
            assert snap["steps"][snap["step_index"]]["partner"] == theirs

            await a.send_json_to({"type": "ready"})
            await until(b, lambda m: m["type"] == "event" and m["kind"] == "step_ready")
            await b.send_json_to({"type": "ready"})
            await until(a, lambda m: m["type"] == "event" and m["kind"] in ("step_advanced", "session_finished"))
        await until(a, lambda m: m["type"] == "event" and m["kind"] == "revealed")
        await a.disconnect()
        await b.disconnect()

    run(scenario)
    checkin.refresh_from_db()
    assert checkin.revealed_at is not None
    assert Answer.objects.get(checkin=checkin, author=alice).values == dict(PULSE)


def _snapshot_sync(checkin, user):
    checkin.refresh_from_db()
    return selectors.live_snapshot(checkin=checkin, user=user)


async def _snapshot(checkin, user):
    from channels.db import database_sync_to_async

    return await database_sync_to_async(_snapshot_sync)(checkin, user)


def test_errors_are_clear_and_change_nothing(checkin, alice):
    alice_headers = bearer(alice)

    async def scenario():
        a = socket(checkin, alice_headers)
        await a.connect()
        for message, code in [
            ({"type": "answer", "step": "need", "value": "not yet"}, 409),  # not the current step
            ({"type": "answer", "step": "mood", "value": 9}, 400),
            ({"type": "answer", "step": "mood", "value": "4"}, 400),
            ({"type": "ready"}, 409),  # nothing revealed yet
            ({"type": "pause", "minutes": 5}, 400),
            ({"type": "pause", "minutes": "soon"}, 400),
            ({"type": "dance"}, 400),
            (["not", "an", "object"], 400),
        ]:
            await a.send_json_to(message)
            error, _ = await until(a, lambda m: m["type"] == "error")
            assert error["code"] == code, (message, error)
        await a.send_to(text_data="{not json")
        error, _ = await until(a, lambda m: m["type"] == "error")
        assert error["code"] == 400
        await a.disconnect()

    run(scenario)
    assert not Answer.objects.filter(checkin=checkin).exists()


def test_break_pauses_both_reminds_both_and_resumes_where_it_was(checkin, alice, bob):
    services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
    services.live_pause(checkin=checkin, user=bob, minutes=20)

    snap = selectors.live_snapshot(checkin=checkin, user=alice)
    assert snap["status"] == "paused" and snap["paused_by"] == bob.pk
    with pytest.raises(services.Conflict):
        services.live_answer(checkin=checkin, user=bob, step="mood", value=3)
    reminders = Reminder.objects.filter(kind="live_resume", target_id=checkin.pk)
    assert sorted(reminders.values_list("user_id", flat=True)) == sorted([alice.pk, bob.pk])
    until_at = snap["paused_until"]
    assert (
        dt.timedelta(minutes=19)
        < until_at - Event.objects.filter(kind="session_paused").get().created_at
        <= dt.timedelta(minutes=20)
    )

    # Only the one who asked for the break ends it early.
    with pytest.raises(services.Forbidden):
        services.live_resume(checkin=checkin, user=alice)
    assert selectors.live_snapshot(checkin=checkin, user=alice)["status"] == "paused"
    services.live_resume(checkin=checkin, user=bob)
    snap = selectors.live_snapshot(checkin=checkin, user=bob)
    assert snap["status"] == "active" and snap["step_index"] == 0
    assert snap["steps"][0]["mine"] is None and snap["steps"][0]["partner"] is None  # alice's stays hidden
    services.live_answer(checkin=checkin, user=bob, step="mood", value=3)
    assert selectors.live_snapshot(checkin=checkin, user=bob)["steps"][0]["partner"] == 4


def test_break_reminder_fires_at_the_return_time_and_not_after_an_early_resume(checkin, alice, bob):
    import time_machine
    from django.utils import timezone

    from reminders.dispatch import dispatch_tick
    from reminders.models import Notification

    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.live_pause(checkin=checkin, user=alice, minutes=30)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        dispatch_tick()
    assert not Notification.objects.filter(kind="live_resume").exists()
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        dispatch_tick()
    assert Notification.objects.filter(kind="live_resume").count() == 2

    # A second break, ended early by alice: its reminder never comes.
    with time_machine.travel(start + dt.timedelta(minutes=40), tick=False):
        services.live_pause(checkin=checkin, user=alice, minutes=30)
        services.live_resume(checkin=checkin, user=alice)
    with time_machine.travel(start + dt.timedelta(minutes=71), tick=False):
        dispatch_tick()
    assert Notification.objects.filter(kind="live_resume").count() == 2


def test_reconnect_catches_up_from_events_and_snapshot(checkin, alice, bob):
    alice_headers = bearer(alice)

    async def scenario():
        a = socket(checkin, alice_headers)
        await a.connect()
        hello, _ = await until(a, lambda m: m["type"] == "hello")
        last_seen = hello["last_event_seq"]
        await a.disconnect()  # alice's phone sleeps
        return last_seen

    last_seen = run(scenario)
    services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
    services.live_answer(checkin=checkin, user=alice, step="mood", value=5)

    async def back():
        a = socket(checkin, alice_headers)
        await a.connect()
        hello, _ = await until(a, lambda m: m["type"] == "hello")
        await a.disconnect()
        return hello

    hello = run(back)
    missed = list(selectors.checkin_events_since(checkin=checkin, since=last_seen).values_list("kind", flat=True))
    assert missed == ["step_answered", "step_answered", "step_revealed"]
    assert hello["last_event_seq"] == last_seen + 3
    snap = selectors.live_snapshot(checkin=checkin, user=alice)
    assert snap["steps"][0]["partner"] == 2 and snap["steps"][0]["mine"] == 5


def test_sockets_close_when_the_couple_splits(checkin, alice, bob):
    from channels.db import database_sync_to_async

    from couples.services import couple_leave

    alice_headers, bob_headers = bearer(alice), bearer(bob)

    async def scenario():
        a, b = socket(checkin, alice_headers), socket(checkin, bob_headers)
        await a.connect()
        await b.connect()
        await until(a, lambda m: m["type"] == "hello")
        await database_sync_to_async(couple_leave)(user=bob, password=PASSWORD)
        for comm in (a, b):
            for _ in range(10):
                output = await comm.receive_output(timeout=3)
                if output["type"] == "websocket.close":
                    assert output["code"] == 4410
                    break
            else:
                raise AssertionError("socket not closed")
        # A former partner cannot come back in.
        assert await refused(socket(checkin, alice_headers))

    run(scenario)


class TestHttpApi:
    def test_session_endpoints_mirror_the_socket(self, checkin, as_alice, as_bob, alice):
        url = f"/api/v1/checkins/{checkin.pk}/session/"
        assert as_alice.get(url).json()["status"] == "active"
        r = as_alice.post(url + "answer/", {"step": "mood", "value": 4}, format="json")
        assert r.status_code == 200 and r.json()["steps"][0]["mine"] == 4
        bob_view = as_bob.get(url).json()
        assert bob_view["steps"][0]["partner"] is None and "4" not in str(bob_view["steps"][0]["mine"])
        assert as_bob.post(url + "ready/").status_code == 409
        assert as_bob.post(url + "pause/", {"minutes": 61}, format="json").status_code == 400
        assert as_bob.post(url + "pause/", {"minutes": 45}, format="json").json()["status"] == "paused"
        assert as_alice.post(url + "resume/").status_code == 403
        assert as_bob.post(url + "resume/").json()["status"] == "active"

    @pytest.mark.parametrize("who", ["as_mallory", "as_theo"])
    def test_strangers_get_404(self, request, checkin, mallory_couple, who):
        client = request.getfixturevalue(who)
        url = f"/api/v1/checkins/{checkin.pk}/session/"
        for method, path, body in [
            ("get", "", None),
            ("post", "answer/", {"step": "mood", "value": 3}),
            ("post", "ready/", {}),
            ("post", "pause/", {"minutes": 30}),
            ("post", "resume/", {}),
        ]:
            assert getattr(client, method)(url + path, body, format="json").status_code == 404
        assert not Answer.objects.exists()


async def forget_groups(checkin) -> None:
    """The channel layer forgets, silently, which sockets are in the
    check-in's groups (what a Redis restart did to the list-based layer's
    groups); sockets stay open and hear nothing."""
    from channels.layers import get_channel_layer

    from checkins.live import checkin_group, couple_group

    layer = get_channel_layer()
    groups = (checkin_group(checkin.pk), couple_group(checkin.couple_id))
    if hasattr(layer, "_get_layer"):  # channels-redis pub/sub: unsubscribed behind the layer's back
        loop_layer = layer._get_layer()
        for group in groups:
            name = loop_layer._get_group_channel_name(group)
            loop_layer.groups.pop(name, None)
            shard = loop_layer._get_shard(name)
            async with shard._lock:
                shard._subscribed_to.discard(name)
                await shard._pubsub.unsubscribe(name)
    else:  # the in-memory layer
        for group in groups:
            layer.groups.pop(group, None)


class TestSelfHealing:
    @pytest.fixture(autouse=True)
    def quick_sync(self, settings):
        settings.STEADY_LIVE_SYNC_SECONDS = 0.3

    def test_after_the_groups_are_lost_sync_tells_what_was_missed_and_hints_come_back(self, checkin, alice, bob):
        from channels.db import database_sync_to_async

        alice_headers = bearer(alice)

        async def scenario():
            a = socket(checkin, alice_headers)
            await a.connect()
            hello, _ = await until(a, lambda m: m["type"] == "hello")
            await forget_groups(checkin)
            # Bob answers while nobody can hear: the hint is lost...
            await database_sync_to_async(services.live_answer)(checkin=checkin, user=bob, step="mood", value=2)
            # ...and the next sync says there is something to read.
            sync, seen = await until(
                a, lambda m: m["type"] == "sync" and m["last_event_seq"] == hello["last_event_seq"] + 1
            )
            assert not [m for m in seen if m["type"] == "event"]
            # The socket is back in its groups: the next hint arrives.
            await until(a, lambda m: m["type"] == "sync")
            await database_sync_to_async(services.live_answer)(checkin=checkin, user=alice, step="mood", value=5)
            revealed, _ = await until(a, lambda m: m["type"] == "event" and m["kind"] == "step_revealed")
            await a.disconnect()
            return revealed

        revealed = run(scenario)
        assert revealed["seq"] == Event.objects.filter(checkin=checkin).order_by("-seq").first().seq

    def test_a_former_partner_is_closed_out_even_if_the_couple_ended_hint_was_lost(self, checkin, alice, bob):
        from channels.db import database_sync_to_async

        from couples.services import couple_leave

        alice_headers = bearer(alice)

        async def scenario():
            a = socket(checkin, alice_headers)
            await a.connect()
            await until(a, lambda m: m["type"] == "hello")
            await forget_groups(checkin)
            await database_sync_to_async(couple_leave)(user=bob, password=PASSWORD)
            for _ in range(20):
                output = await a.receive_output(timeout=3)
                if output["type"] == "websocket.close":
                    return output["code"]
            raise AssertionError("socket not closed")

        assert run(scenario) == 4404


@pytest.mark.redis
def test_when_redis_drops_the_layers_connection_hints_come_back(checkin, alice, bob):
    """Redis restarting (or failing over) cuts the subscriber's connection;
    redis-py reconnects and subscribes again by itself."""
    import asyncio

    import redis
    from channels.db import database_sync_to_async

    alice_headers = bearer(alice)
    address = django_settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"]

    async def scenario():
        a = socket(checkin, alice_headers)
        await a.connect()
        await until(a, lambda m: m["type"] == "hello")
        from channels.layers import get_channel_layer

        from checkins.live import checkin_group

        group = get_channel_layer()._get_layer()._get_group_channel_name(checkin_group(checkin.pk))
        server = redis.Redis.from_url(address)
        assert server.client_kill_filter(_type="pubsub") >= 1
        for _ in range(100):
            await asyncio.sleep(0.1)
            if dict(server.pubsub_numsub(group)).get(group.encode()):
                break
        else:
            raise AssertionError("the layer did not subscribe again")
        await database_sync_to_async(services.live_answer)(checkin=checkin, user=bob, step="mood", value=2)
        event, _ = await until(a, lambda m: m["type"] == "event")
        await a.disconnect()
        return event

    assert run(scenario)["kind"] == "step_answered"


def test_the_live_write_path_is_a_fixed_handful_of_queries(checkin, alice, bob, django_assert_num_queries):
    """The hot path of a live session (see bench/live.py), on the ORM: the
    same statements whatever the history of the couple. Every write is
    BEGIN; lock and read the check-in and its session where the writer is
    one of the couple (``access_checkin``, one query); ...; move the
    sequence on and insert its events in one statement (``_events_append``);
    COMMIT. (Issue #17 took the four below from 10/10/8/8 of hand SQL to
    11/8/6/6 on the ORM.)"""
    from checkins.models import CheckIn

    def again():
        return CheckIn(pk=checkin.pk)

    # Bob's answer is the session's first write: BEGIN; lock with the
    # session (none yet); lock the check-in alone; read the session, make it;
    # read the answers; insert his answer; record that he answered it live
    # (a draft never counts: issue #15); the sequence; the event; COMMIT.
    with django_assert_num_queries(11):
        services.live_answer(checkin=again(), user=bob, step="mood", value=2)
    # Alice's reveals the step: the session exists; its one update records
    # her live answer and the reveal; both events go in one insert.
    with django_assert_num_queries(8):
        services.live_answer(checkin=again(), user=alice, step="mood", value=5)
    # Ready: no answers to read.
    with django_assert_num_queries(6):
        services.live_ready(checkin=again(), user=alice)
    with django_assert_num_queries(6):
        services.live_ready(checkin=again(), user=bob)
    # A break also asks checkins.breaks whether it is a time-out (the
    # taker's open period, the couple's rules in force: no rules here, so a
    # plain break), reads the partners and schedules both their reminders.
    with django_assert_num_queries(10):
        services.live_pause(checkin=again(), user=bob, minutes=20)
    with django_assert_num_queries(6):
        services.live_resume(checkin=again(), user=bob)
    assert list(Event.objects.filter(checkin=checkin).values_list("seq", flat=True)) == list(range(1, 10))

    for step, value in PULSE[1:]:
        services.live_answer(checkin=again(), user=bob, step=step, value=value)
        services.live_answer(checkin=again(), user=alice, step=step, value=value)
        services.live_ready(checkin=again(), user=alice)
        if step != "need":
            services.live_ready(checkin=again(), user=bob)
    # The last "ready" ends the session and sends both answers as the form
    # does, then reveals once: the ready's 6, the partners, their answers,
    # one update each, one insert of both "answered" events and the sequence,
    # then checkin_reveal (count the sent, mark it revealed, its event, the
    # sequence). It never re-enters checkin_answer per partner.
    with django_assert_num_queries(16):
        services.live_ready(checkin=again(), user=bob)
    kinds = list(Event.objects.filter(checkin=checkin).values_list("kind", flat=True))
    assert kinds[-4:] == ["session_finished", "answered", "answered", "revealed"]
    assert kinds.count("revealed") == 1


def test_the_sync_check_is_one_query_and_only_partners_pass_it(
    checkin, alice, bob, mallory, mallory_couple, theo, django_assert_num_queries
):
    """Every socket asks this every STEADY_LIVE_SYNC_SECONDS."""
    from couples.services import couple_leave

    services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
    with django_assert_num_queries(1):
        assert selectors.checkin_last_seq_for_member(user=alice, checkin_id=checkin.pk) == 2
    for outsider in (mallory, theo):
        assert selectors.checkin_last_seq_for_member(user=outsider, checkin_id=checkin.pk) is None
    couple_leave(user=bob, password=PASSWORD)
    assert selectors.checkin_last_seq_for_member(user=bob, checkin_id=checkin.pk) is None


def test_a_strangers_write_leaves_no_trace(checkin, mallory, mallory_couple):
    """The session's row is made by its first write, but only a partner's:
    mallory's attempt is a 404 and makes nothing, not even the session."""
    from django.http import Http404

    from checkins.models import LiveSession

    for attempt in (
        lambda: services.live_answer(checkin=checkin, user=mallory, step="mood", value=1),
        lambda: services.live_ready(checkin=checkin, user=mallory),
        lambda: services.live_pause(checkin=checkin, user=mallory, minutes=20),
        lambda: services.live_resume(checkin=checkin, user=mallory),
    ):
        with pytest.raises(Http404):
            attempt()
    assert not LiveSession.objects.filter(checkin=checkin).exists()
    assert not Answer.objects.filter(checkin=checkin).exists()
    assert not Event.objects.filter(checkin=checkin).exclude(kind="created").exists()


def test_a_former_partner_cannot_write_even_with_the_checkin_in_hand(checkin, alice, bob):
    from django.http import Http404

    from couples.services import couple_leave

    couple_leave(user=bob, password=PASSWORD)
    with pytest.raises(Http404):
        services.live_answer(checkin=checkin, user=bob, step="mood", value=2)


@pytest.mark.postgres
def test_both_ready_at_once_moves_on_exactly_once(checkin, alice, bob):
    """Bob presses "ready" while Alice's "ready" holds the lock: once it is
    granted he must see hers, or neither move would ever move on."""
    import threading
    import time

    from django.db import connection, transaction

    services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
    services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
    holding, release, errors = threading.Event(), threading.Event(), []

    def alice_ready():
        try:
            with transaction.atomic():
                services.live_ready(checkin=checkin, user=alice)
                holding.set()
                release.wait(10)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def bob_ready():
        try:
            services.live_ready(checkin=checkin, user=bob)  # waits for Alice's lock
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=alice_ready)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=bob_ready)
    second.start()
    time.sleep(0.5)  # Bob's statement is now waiting on the lock
    release.set()
    first.join(10)
    second.join(10)

    assert errors == []
    snap = selectors.live_snapshot(checkin=checkin, user=alice)
    assert snap["step_index"] == 1
    kinds = list(Event.objects.filter(checkin=checkin).values_list("kind", flat=True))
    assert kinds.count("step_advanced") == 1


def test_over_the_socket_a_skipped_partners_draft_is_never_revealed(checkin, alice, bob):
    """Issue #15, finding 1, on the live socket: Alice saved a draft and
    skipped; Bob answers the step live and sees nothing of hers."""
    services.checkin_answer(checkin=checkin, author=alice, values={"mood": 5}, submit=False)
    services.checkin_skip(checkin=checkin, author=alice)
    alice_headers, bob_headers = bearer(alice), bearer(bob)

    async def scenario():
        a, b = socket(checkin, alice_headers), socket(checkin, bob_headers)
        await a.connect()
        await b.connect()
        await b.send_json_to({"type": "answer", "step": "mood", "value": 2})
        _, seen = await until(a, lambda m: m["type"] == "event" and m["kind"] == "step_answered")
        snap = await _snapshot(checkin, bob)
        await a.disconnect()
        await b.disconnect()
        return seen, snap

    seen, snap = run(scenario)
    assert not any(m.get("kind") == "step_revealed" for m in seen)
    assert [s["partner"] for s in snap["steps"]] == [None, None, None]
    assert not snap["steps"][0]["revealed"]
    assert not Event.objects.filter(checkin=checkin, kind="step_revealed").exists()
