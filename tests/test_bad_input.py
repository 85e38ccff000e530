"""Bad input never breaks Steady (issue #15): JSON nested too deeply, a NUL
character or an unpaired surrogate anywhere in what a client sends, and
bodies that are too large get a clear 400 (JSON under /api/), an error
message on the live socket (which stays open), and change nothing that was
saved. PostgreSQL is the database that cannot store a NUL or a surrogate:
run this file on it too (DATABASE_URL)."""

import json

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.parsers import MAX_DEPTH, UnreadableJSON, json_loads
from checkins import services as checkins
from checkins.models import Answer

from .conftest import client_for
from .factories import CheckInFactory, make_world
from .test_live import bearer, run, socket, until

NUL, SURROGATE = "a\x00b", "a\ud800b"
BAD_TEXT = pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "lone-surrogate"])
DEEP = "[" * 100_000 + "]" * 100_000
TEN_MB = 10 * 1024 * 1024


def send_json(client, method: str, path: str, body) -> "object":
    """Sends ``body`` as JSON text made by json.dumps, which writes a lone
    surrogate as the escape ``\\ud800`` as a client's encoder would (DRF's
    test encoder would refuse to encode it)."""
    text = body if isinstance(body, str) else json.dumps(body)
    return client.generic(method, path, text, content_type="application/json")


def is_json_400(response) -> bool:
    return response.status_code == 400 and response["Content-Type"] == "application/json"


# --- the one JSON reader -----------------------------------------------------------

# A tiny alphabet that makes collisions likely: NUL, a high surrogate that
# never meets a low one, and ordinary text (an astral character is a valid
# surrogate pair on the wire).
_POISON = ("\x00", "\ud800")
_text = st.text(st.sampled_from(["a", "é", "😀", " ", *_POISON]), max_size=4)
_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=12,
)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


class TestTheJsonReader:
    @given(_documents)
    @settings(max_examples=300, deadline=None)
    def test_refuses_a_document_exactly_when_some_string_or_key_holds_nul_or_a_lone_surrogate(self, document):
        poisoned = any(p in s for s in _strings(document) for p in _POISON)
        text = json.dumps(document)

        if poisoned:
            with pytest.raises(UnreadableJSON):
                json_loads(text)
        else:
            assert json_loads(text) == document

    @given(st.integers(min_value=1, max_value=3 * MAX_DEPTH), st.sampled_from(["[{}]", '{"k":{}}']))
    @settings(max_examples=100, deadline=None)
    def test_nesting_is_bounded(self, depth, shape):
        open_, close = ("[", "]") if shape.startswith("[") else ('{"k":', "}")
        text = open_ * depth + "0" + close * depth

        if depth <= MAX_DEPTH:
            assert json_loads(text) is not None
        else:
            with pytest.raises(UnreadableJSON, match="nested"):
                json_loads(text)

    def test_a_hundred_thousand_brackets_are_refused_without_recursion(self):
        with pytest.raises(UnreadableJSON, match="nested"):
            json_loads(DEEP)

    def test_what_json_itself_forbids_is_still_refused(self):
        for text in ("{oops", "NaN", '{"a": Infinity}', '"\\ud800'):
            with pytest.raises(ValueError):
                json_loads(text)

    def test_a_valid_surrogate_pair_is_just_a_character(self):
        assert json_loads('"\\ud83d\\ude00"') == "😀"


# --- the API -----------------------------------------------------------------------

PULSE_DRAFT = {"mood": 2, "need": "A walk"}


@pytest.fixture
def open_checkin(couple, alice):
    return CheckInFactory(couple=couple, user=alice)


@pytest.mark.django_db
class TestTheApi:
    def test_deep_nesting_on_the_unauthenticated_login_is_a_json_400(self, api):
        response = send_json(api, "POST", "/api/v1/auth/login/", DEEP)

        assert is_json_400(response)
        assert "nested" in response.json()["detail"]

    @BAD_TEXT
    def test_bad_text_in_answers_is_a_400_and_the_saved_answer_stays(self, as_alice, alice, open_checkin, bad):
        url = f"/api/v1/checkins/{open_checkin.pk}/answers/"
        assert send_json(as_alice, "PUT", url, {"answers": PULSE_DRAFT, "submit": False}).status_code == 200

        response = send_json(as_alice, "PUT", url, {"answers": {**PULSE_DRAFT, "need": bad}, "submit": False})

        assert is_json_400(response)
        assert list(response.json()) == ["answers"]
        assert Answer.objects.get(checkin=open_checkin, author=alice).values == PULSE_DRAFT

    @BAD_TEXT
    def test_bad_text_in_a_key_is_refused_too(self, as_alice, alice, open_checkin, bad):
        url = f"/api/v1/checkins/{open_checkin.pk}/answers/"

        response = send_json(as_alice, "PUT", url, {"answers": {bad: "x"}, "submit": False})

        assert is_json_400(response)
        assert not Answer.objects.filter(checkin=open_checkin).exists()

    @BAD_TEXT
    def test_bad_text_in_a_live_answer_is_a_400_and_the_saved_answer_stays(
        self, as_alice, alice, bob, open_checkin, bad
    ):
        _on_the_first_text_step(open_checkin, alice, bob)
        url = f"/api/v1/checkins/{open_checkin.pk}/session/answer/"

        response = send_json(as_alice, "POST", url, {"step": "appreciated", "value": bad})

        assert is_json_400(response)
        assert list(response.json()) == ["value"]
        assert Answer.objects.get(checkin=open_checkin, author=alice).values == {"mood": 4}

    def test_a_ten_megabyte_body_is_a_json_400_that_says_so(self, api, as_alice, open_checkin):
        big = json.dumps({"email": "a" * TEN_MB, "password": "x"})

        for client, method, path in [
            (api, "POST", "/api/v1/auth/login/"),
            (as_alice, "PUT", f"/api/v1/checkins/{open_checkin.pk}/answers/"),
        ]:
            response = send_json(client, method, path, big)
            assert is_json_400(response), (path, response.status_code, response.content[:200])
            assert "too large" in response.json()["detail"]
        assert not Answer.objects.exists()

    def test_nul_in_a_query_string_is_a_json_400(self, as_alice, couple):
        response = as_alice.get("/api/v1/checkins/?status=open%00")

        assert is_json_400(response)

    @pytest.mark.parametrize("token", ["a\x00" + "0" * 62, "\xff\xfe" + "0" * 62, "0" * 5000])
    def test_a_malformed_bearer_token_is_a_401_not_a_500(self, token):
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")

        response = client.get("/api/v1/me/")

        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"

    def test_a_malformed_bearer_token_is_ignored_where_no_token_is_read(self):
        # Log-in authenticates nobody by token, so no 401 there (as documented).
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Bearer \xff")

        response = client.post("/api/v1/auth/login/", {"email": "a@example.com", "password": "x"}, "application/json")

        assert is_json_400(response)


@pytest.mark.django_db
class TestJsonTypes:
    """In JSON a number is a number: DRF would turn 5 into "5", "5" into 5
    and 1 into true, and the schema says otherwise."""

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": 5, "category": "other"}, "title"),
            ({"title": "Phones away", "category": "other", "review_every_days": "7"}, "review_every_days"),
            ({"title": "Phones away", "category": "other", "review_every_days": 7.0}, "review_every_days"),
            ({"title": "x" * 120 + "  ", "category": "other"}, "title"),  # the length sent, not the trimmed one
        ],
    )
    def test_a_wrong_type_or_length_is_a_field_error(self, as_alice, couple, body, field):
        response = as_alice.post("/api/v1/agreements/", body, format="json")

        assert is_json_400(response)
        assert list(response.json()) == [field]

    @pytest.mark.parametrize(
        "body", [{"push": 1}, {"email": "true"}, {"daily_cap": "5"}, {"kinds": {"checkin_open": 0}}]
    )
    def test_booleans_are_true_or_false(self, as_alice, body):
        response = as_alice.patch("/api/v1/me/notification-preferences/", body, format="json")

        assert is_json_400(response)
        assert list(response.json()) == list(body)

    @pytest.mark.parametrize(
        ("query", "status"),
        [
            ("page_size=abc", 400),
            ("page_size=0", 400),
            ("page_size=201", 400),
            ("page=", 400),
            ("page=0", 400),
            ("page=2", 404),
            ("page=1&page_size=200", 200),
        ],
    )
    def test_page_and_page_size_are_whole_numbers_in_range(self, as_alice, couple, query, status):
        response = as_alice.get(f"/api/v1/checkins/formats/?{query}")

        assert response.status_code == status, response.content


def _on_the_first_text_step(checkin, alice, bob) -> None:
    """Both answered the mood and are ready: the session is on "appreciated"."""
    checkins.live_answer(checkin=checkin, user=alice, step="mood", value=4)
    checkins.live_answer(checkin=checkin, user=bob, step="mood", value=3)
    checkins.live_ready(checkin=checkin, user=alice)
    checkins.live_ready(checkin=checkin, user=bob)


# --- every text field in the schema ------------------------------------------------


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _text_slots(schema: dict, node: dict, path: tuple = ()):
    """Every place in a request body where a client can put text: string
    properties, items and values, and free-form objects and JSON values
    (where the text goes in as a value). Yields (path, max_length)."""
    node = _resolve(schema, node)
    for alternative in node.get("oneOf", []) + node.get("allOf", []) + node.get("anyOf", []):
        yield from _text_slots(schema, alternative, path)
    kind = node.get("type")
    if kind == "string" and "enum" not in node:
        yield path, node.get("maxLength")
    elif kind == "array":
        yield from _text_slots(schema, node.get("items", {}), (*path, 0))
    elif kind == "object" or "properties" in node:
        for name, prop in node.get("properties", {}).items():
            yield from _text_slots(schema, prop, (*path, name))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            yield from _text_slots(schema, extra, (*path, "x"))
        elif not node.get("properties"):
            yield (*path, "x"), None
    elif not kind and not any(k in node for k in ("oneOf", "allOf", "anyOf", "enum")):
        yield path, None  # any JSON value


def _operations_with_text():
    schema = _schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            slots = dict(_text_slots(schema, body["schema"]))
            for slot, max_length in slots.items():
                yield pytest.param(method.upper(), path, slot, max_length, id=f"{method.upper()} {path} {slot}")


def _body_with(slot: tuple, value):
    if not slot:
        return value
    head, rest = slot[0], slot[1:]
    inner = _body_with(rest, value)
    return [inner] if head == 0 else {head: inner}


@pytest.fixture
def world(couple, alice, bob, theo, open_checkin):
    from therapists import services as therapists
    from therapists.models import Grant

    from .test_therapists_support import give_totp

    ids = make_world(couple, alice, bob, theo, checkin=open_checkin)
    # Writes under a scope (a practice) reach their body only with consent:
    # theo's grant approved, his second factor set up and confirmed.
    therapists.grant_approve(grant=Grant.objects.get(pk=ids["grant_id"]), user=alice)
    give_totp(theo)
    from repair.models import Commitment

    commitment = Commitment.objects.filter(author=alice).first()
    promise_id = f"commitment-{commitment.pk}" if commitment else "commitment-0"
    return {**ids, "couple_id": couple.pk, "promise_id": promise_id}


def _client_for(path: str, alice, theo):
    if path.startswith("/api/v1/auth/"):
        return Client(raise_request_exception=False)
    if path.startswith("/api/v1/therapist/couples/"):
        from .test_therapists_support import ready_client

        client = ready_client(theo)
        client.raise_request_exception = False
        return client
    client = client_for(theo if path.startswith("/api/v1/therapist/") else alice)
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "slot", "max_length"), list(_operations_with_text()))
@pytest.mark.parametrize("bad", ["nul", "lone-surrogate", "oversized", "too-deep"])
def test_every_text_field_refuses_bad_text_with_a_json_400(method, path, slot, max_length, bad, world, alice, theo):
    value = {
        "nul": NUL,
        "lone-surrogate": SURROGATE,
        "oversized": "x" * ((max_length or 100_000) + 1),
        "too-deep": json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH),
    }[bad]
    client = _client_for(path, alice, theo)

    response = send_json(client, method, path.format(**world), _body_with(slot, value))

    assert is_json_400(response), (response.status_code, response.content[:300])
    problem = {"nul": "Null characters", "lone-surrogate": "Surrogate characters", "too-deep": "nested"}.get(bad)
    if problem:
        assert problem in json.dumps(response.json())


# --- the live socket ---------------------------------------------------------------

BAD_FRAMES = [
    ("nul", json.dumps({"type": "answer", "step": "appreciated", "value": NUL})),
    ("lone-surrogate", json.dumps({"type": "answer", "step": "appreciated", "value": SURROGATE})),
    ("nul-in-a-key", json.dumps({"type": "answer", "step": "appreciated", "value": "ok", NUL: 1})),
    ("deep", DEEP),
    ("binary", b"\x00\x01"),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_live_socket_answers_bad_frames_with_an_error_and_stays_open(open_checkin, alice, bob):
    _on_the_first_text_step(open_checkin, alice, bob)
    headers = bearer(alice)

    async def scenario():
        a = socket(open_checkin, headers)
        assert (await a.connect())[0]
        for name, frame in BAD_FRAMES:
            if isinstance(frame, bytes):
                await a.send_to(bytes_data=frame)
            else:
                await a.send_to(text_data=frame)
            error, _ = await until(a, lambda m: m["type"] == "error")
            assert error["code"] == 400, (name, error)
        await a.send_json_to({"type": "ping", "t": 1})
        pong, _ = await until(a, lambda m: m["type"] == "pong")
        assert pong == {"type": "pong", "t": 1}
        await a.disconnect()

    run(scenario)
    assert Answer.objects.get(checkin=open_checkin, author=alice).values == {"mood": 4}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_socket_with_a_malformed_bearer_token_is_refused_not_crashed(open_checkin):
    async def scenario():
        comm = socket(open_checkin, [(b"authorization", b"Bearer \xff\x00" + b"0" * 62)])
        connected, _code = await comm.connect()
        await comm.disconnect()
        return connected

    assert run(scenario) is False


# --- web pages ---------------------------------------------------------------------


@pytest.mark.django_db
class TestWebForms:
    @pytest.fixture
    def signed_in(self, alice):
        browser = Client(raise_request_exception=False)
        browser.force_login(alice)
        return browser

    def test_nul_in_a_step_answer_is_a_400_and_the_saved_answer_stays(self, signed_in, alice, open_checkin):
        checkins.checkin_answer(checkin=open_checkin, author=alice, values={"mood": 2}, submit=False)

        response = signed_in.post(f"/checkins/{open_checkin.pk}/", {"step": "2", "value": NUL})

        assert response.status_code == 400
        assert b"could not be read" in response.content
        assert Answer.objects.get(checkin=open_checkin, author=alice).values == {"mood": 2}

    def test_nul_in_a_field_read_without_a_form_is_a_400(self, signed_in, couple):
        response = signed_in.post("/checkins/start/", {"format": "daily\x00pulse"})

        assert response.status_code == 400

    def test_nul_in_a_query_string_is_a_400(self, signed_in, couple):
        assert signed_in.get("/checkins/history/?page=1%00").status_code == 400

    def test_a_surrogate_cannot_arrive_through_a_form(self, signed_in, alice, open_checkin):
        # Form data is decoded with errors="replace": the bytes of a lone
        # surrogate arrive as U+FFFD, which any database stores.
        checkins.checkin_answer(checkin=open_checkin, author=alice, values={"mood": 2}, submit=False)

        response = signed_in.post(
            f"/checkins/{open_checkin.pk}/",
            "step=2&value=a%ED%A0%80b",
            content_type="application/x-www-form-urlencoded",
        )

        assert response.status_code == 302
        stored = Answer.objects.get(checkin=open_checkin, author=alice).values["appreciated"]
        assert "\ud800" not in stored and "\ufffd" in stored

    def test_a_ten_megabyte_form_is_a_400_page(self, signed_in, open_checkin):
        response = signed_in.post(f"/checkins/{open_checkin.pk}/", {"step": "2", "value": "x" * TEN_MB})

        assert response.status_code == 400
        assert b"too large" in response.content
