"""A state machine over consent: partners ask, approve and revoke, time
passes, and theo tries to read. Theo can read exactly when a grant was
approved by both partners, is not revoked and is not past its end; every
successful read leaves exactly one access event, and nothing else does."""

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import User
from therapists import services
from therapists.models import AccessEvent

from .conftest import client_for
from .factories import UserFactory, make_couple
from .test_therapists_support import give_totp, ready_client

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 4, 18, 0, tzinfo=dt.UTC)
GRANTS = "/api/v1/couple/therapist-grants/"


class ConsentMachine(RuleBasedStateMachine):
    """The model: at most one grant at a time (the latest), with who asked,
    whether the other approved, whether it was revoked, and its end."""

    @initialize()
    def setup(self):
        self.travel = time_machine.travel(START, tick=False)
        self.traveller = self.travel.start()
        self.now = START
        self.alice = UserFactory(display_name="Alice")
        self.bob = UserFactory(display_name="Bob")
        self.theo = UserFactory(display_name="Theo", role=User.Role.THERAPIST)
        give_totp(self.theo)
        self.couple = make_couple(self.alice, self.bob)
        self.grant = None  # {"id", "asked_by", "approved", "revoked", "expires_at"}
        self.reads = 0
        self._fresh_clients()

    def _fresh_clients(self):
        # New tokens after time passes: tokens and the therapist's
        # confirmation have lifetimes of their own, not under test here.
        self.clients = {"alice": client_for(self.alice), "bob": client_for(self.bob)}
        self.theo_client = ready_client(self.theo)

    def teardown(self):
        if hasattr(self, "travel"):
            self.travel.stop()

    def _open(self) -> bool:
        g = self.grant
        return g is not None and not g["revoked"] and self.now < g["expires_at"]

    def _readable(self) -> bool:
        return self._open() and self.grant["approved"]

    @rule(who=st.sampled_from(["alice", "bob"]), days=st.integers(min_value=1, max_value=180))
    def request(self, who, days):
        code = services.connect_code_create(therapist=self.theo)
        expires_at = self.now + dt.timedelta(days=days)
        response = self.clients[who].post(
            GRANTS,
            {"code": code.code, "scopes": ["checkin_consistency"], "expires_at": expires_at.isoformat()},
            format="json",
        )
        if self._open():
            assert response.status_code == 409, response.content
        else:
            assert response.status_code == 201, response.content
            self.grant = {
                "id": response.json()["id"],
                "asked_by": who,
                "approved": False,
                "revoked": False,
                "expires_at": expires_at,
            }

    @precondition(lambda self: self.grant is not None)
    @rule(who=st.sampled_from(["alice", "bob"]))
    def approve(self, who):
        response = self.clients[who].post(f"{GRANTS}{self.grant['id']}/approve/", {}, format="json")
        if who == self.grant["asked_by"]:
            assert response.status_code == 403
        elif self._open() and not self.grant["approved"]:
            assert response.status_code == 200, response.content
            self.grant["approved"] = True
        else:
            assert response.status_code == 409

    @precondition(lambda self: self.grant is not None)
    @rule(who=st.sampled_from(["alice", "bob"]))
    def revoke(self, who):
        response = self.clients[who].post(f"{GRANTS}{self.grant['id']}/revoke/")
        if self.grant["revoked"]:
            assert response.status_code == 409
        else:
            # Ending one that is already past its end is allowed (and harmless).
            assert response.status_code == 200, response.content
            self.grant["revoked"] = True

    @rule(hours=st.integers(min_value=1, max_value=24 * 200))
    def time_passes(self, hours):
        self.traveller.shift(dt.timedelta(hours=hours))
        self.now += dt.timedelta(hours=hours)
        self._fresh_clients()

    @rule()
    def theo_reads(self):
        response = self.theo_client.get(f"/api/v1/therapist/couples/{self.couple.pk}/summary/")
        if self._readable():
            assert response.status_code == 200, response.content
            self.reads += 1
        else:
            assert response.status_code == 404, response.content

    @rule()
    def theo_lists(self):
        response = self.theo_client.get("/api/v1/therapist/couples/")
        assert response.status_code == 200
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == ([self.couple.pk] if self._readable() else [])
        if self._readable():
            self.reads += 1

    @invariant()
    def one_event_per_read(self):
        if hasattr(self, "couple"):
            assert AccessEvent.objects.filter(couple=self.couple).count() == self.reads


def test_theo_reads_exactly_when_both_approved_and_not_revoked_or_expired(db):
    run_state_machine_as_test(
        ConsentMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
