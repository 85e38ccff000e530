import json

import pytest
from django.conf import settings
from knox.models import AuthToken

from accounts.models import User

from .conftest import client_for
from .factories import PASSWORD

SIGNUP = "/api/v1/auth/signup/"
LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"

pytestmark = pytest.mark.django_db


def signup_body(**over):
    body = {
        "email": "carol@example.com",
        "password": "a-long-unusual-pass-42",
        "display_name": "Carol",
        "timezone": "Europe/London",
    }
    body.update(over)
    return body


class TestSignup:
    def test_creates_a_partner_with_a_working_token(self, api):
        response = api.post(SIGNUP, signup_body(), format="json")

        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"token", "device_key", "user"}
        assert body["user"] == {
            "id": body["user"]["id"],
            "email": "carol@example.com",
            "display_name": "Carol",
            "timezone": "Europe/London",
            "role": "partner",
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:30",
            "country": "GB",
            "language": "",  # no Accept-Language: not chosen yet
        }
        me = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {body['token']}")
        assert me.status_code == 200
        assert me.json()["email"] == "carol@example.com"

    def test_password_is_hashed_with_argon2_and_token_stored_hashed(self, api, settings):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
        token = api.post(SIGNUP, signup_body(), format="json").json()["token"]

        user = User.objects.get(email="carol@example.com")
        assert user.password.startswith("argon2$")
        stored = AuthToken.objects.get(user=user)
        assert token not in (stored.digest, stored.token_key)
        assert len(stored.digest) == 128  # sha512 hex

    def test_therapist_role(self, api):
        response = api.post(SIGNUP, signup_body(role="therapist"), format="json")
        assert response.status_code == 201
        assert response.json()["user"]["role"] == "therapist"

    def test_email_is_case_insensitive_and_unique(self, api, alice):
        response = api.post(SIGNUP, signup_body(email="ALICE@Example.com"), format="json")
        assert response.status_code == 400
        assert "email" in response.json()

    @pytest.mark.parametrize(
        ("over", "field"),
        [
            ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
            ({"timezone": "../../etc/passwd"}, "timezone"),
            ({"timezone": 5}, "timezone"),
            ({"email": "not-an-email"}, "email"),
            ({"password": "short"}, "password"),
            ({"password": "password123"}, "password"),
            ({"password": "12345678901234"}, "password"),
            ({"display_name": ""}, "display_name"),
            ({"display_name": "x" * 61}, "display_name"),
            ({"role": "admin"}, "role"),
            ({"email": "a" * 250 + "@example.com"}, "email"),
            ({"password": "p" * 500}, "password"),
        ],
    )
    def test_bad_input_gets_field_errors(self, api, over, field):
        response = api.post(SIGNUP, signup_body(**over), format="json")

        assert response.status_code == 400
        assert field in response.json()
        assert isinstance(response.json()[field], list)
        assert not User.objects.exists()

    @pytest.mark.parametrize("missing", ["email", "password", "display_name", "timezone"])
    def test_missing_fields(self, api, missing):
        body = signup_body()
        del body[missing]
        response = api.post(SIGNUP, body, format="json")
        assert response.status_code == 400
        assert response.json()[missing] == ["This field is required."]

    def test_malformed_json(self, api):
        response = api.post(SIGNUP, data="{not json", content_type="application/json")
        assert response.status_code == 400
        assert "detail" in response.json()

    def test_json_that_is_not_an_object(self, api):
        response = api.post(SIGNUP, data=json.dumps(["a", "b"]), content_type="application/json")
        assert response.status_code == 400

    def test_signup_is_throttled_per_ip(self, api, settings):
        from rest_framework.settings import api_settings

        rates = dict(api_settings.DEFAULT_THROTTLE_RATES)
        statuses = []
        for i in range(int(rates["signup"].split("/")[0]) + 1):
            statuses.append(api.post(SIGNUP, signup_body(email=f"p{i}@example.com"), format="json").status_code)
        assert statuses[:-1] == [201] * (len(statuses) - 1)
        assert statuses[-1] == 429

    def test_signup_is_throttled_per_email_from_any_address(self, api, alice, monkeypatch):
        """Asking again and again whether alice has an account (the answer is
        a 400) runs out, however many addresses the asker sends from."""
        from rest_framework.throttling import SimpleRateThrottle

        rates = {**SimpleRateThrottle.THROTTLE_RATES, "signup_email": "3/hour"}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
        spellings = ["alice@example.com", "ALICE@Example.com", " alice@example.COM ", "Alice@example.com"]

        statuses = [
            api.post(SIGNUP, signup_body(email=email), format="json", REMOTE_ADDR=f"10.1.0.{i}").status_code
            for i, email in enumerate(spellings)
        ]
        other = api.post(SIGNUP, signup_body(email="carol@example.com"), format="json", REMOTE_ADDR="10.1.0.9")

        assert statuses == [400, 400, 400, 429]
        assert other.status_code == 201


class TestLogin:
    def test_login_returns_a_new_token_per_device(self, api, alice):
        first = api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json")
        second = api.post(LOGIN, {"email": "Alice@Example.com ", "password": PASSWORD}, format="json")

        assert first.status_code == 200 and second.status_code == 200
        assert first.json()["token"] != second.json()["token"]
        assert first.json()["user"]["email"] == "alice@example.com"
        assert AuthToken.objects.filter(user=alice).count() == 2

    def test_wrong_email_and_wrong_password_look_the_same(self, api, alice):
        wrong_password = api.post(LOGIN, {"email": "alice@example.com", "password": "nope-nope-nope"}, format="json")
        wrong_email = api.post(LOGIN, {"email": "nobody@example.com", "password": PASSWORD}, format="json")

        assert wrong_password.status_code == wrong_email.status_code == 400
        assert wrong_password.json() == wrong_email.json()
        assert "token" not in wrong_password.json()

    def test_logout_revokes_only_this_token(self, api, alice):
        t1 = api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json").json()["token"]
        t2 = api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json").json()["token"]

        response = api.post(LOGOUT, HTTP_AUTHORIZATION=f"Bearer {t1}")

        assert response.status_code == 204
        assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {t1}").status_code == 401
        assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {t2}").status_code == 200

    def test_logout_without_token_is_401(self, api):
        assert api.post(LOGOUT).status_code == 401

    def test_bad_bearer_is_401(self, api, alice):
        assert api.get(ME, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
        assert api.get(ME).status_code == 401


class TestLoginThrottle:
    """Throttled per account and per IP, without a lockout the partner could
    trigger: failures from unknown devices do not block a trusted device."""

    def fail(self, api, email="alice@example.com", **headers):
        return api.post(LOGIN, {"email": email, "password": "wrong-wrong-wrong"}, format="json", **headers)

    def limit(self):
        return int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")[1].split("/")[0])

    def test_repeated_failures_for_one_account_are_throttled(self, api, alice):
        statuses = [self.fail(api, REMOTE_ADDR=f"10.0.0.{i}").status_code for i in range(self.limit() + 1)]

        assert statuses[: self.limit()] == [400] * self.limit()
        assert statuses[-1] == 429
        # Still throttled for an unknown device, even with the right password.
        right = api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json")
        assert right.status_code == 429

    def test_a_trusted_device_is_not_locked_out_by_someone_else(self, api, alice):
        device_key = api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json").json()[
            "device_key"
        ]
        for i in range(self.limit() + 3):
            self.fail(api, REMOTE_ADDR=f"10.0.1.{i}")

        mine = api.post(
            LOGIN,
            {"email": "alice@example.com", "password": PASSWORD},
            format="json",
            HTTP_X_STEADY_DEVICE=device_key,
        )
        assert mine.status_code == 200

    def test_a_device_key_for_another_account_does_not_help(self, api, alice, bob):
        bobs_key = api.post(LOGIN, {"email": "bob@example.com", "password": PASSWORD}, format="json").json()[
            "device_key"
        ]
        for i in range(self.limit()):
            self.fail(api, REMOTE_ADDR=f"10.0.2.{i}")

        response = api.post(
            LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json", HTTP_X_STEADY_DEVICE=bobs_key
        )
        assert response.status_code == 429

    def test_failures_on_one_account_do_not_throttle_another(self, api, alice, bob):
        for i in range(self.limit() + 1):
            self.fail(api, REMOTE_ADDR=f"10.0.3.{i}")
        response = api.post(LOGIN, {"email": "bob@example.com", "password": PASSWORD}, format="json")
        assert response.status_code == 200

    def test_per_ip_limit_across_accounts(self, api, alice):
        per_ip = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")[0].split("/")[0])
        statuses = [
            self.fail(api, email=f"nobody{i}@example.com", REMOTE_ADDR="10.9.9.9").status_code
            for i in range(per_ip + 1)
        ]
        assert statuses[-1] == 429
        assert statuses[0] == 400


class TestMe:
    def test_get_me(self, as_alice, alice):
        body = as_alice.get(ME).json()
        assert body["id"] == alice.pk
        assert body["display_name"] == "Alice"
        assert "password" not in body

    def test_patch_me(self, as_alice, alice):
        response = as_alice.patch(
            ME,
            {"display_name": "Ali", "timezone": "Asia/Tokyo", "quiet_hours_start": "23:00", "quiet_hours_end": "06:00"},
            format="json",
        )
        assert response.status_code == 200
        alice.refresh_from_db()
        assert (alice.display_name, alice.timezone) == ("Ali", "Asia/Tokyo")
        assert str(alice.quiet_hours_start) == "23:00:00"

    def test_patch_ignores_read_only_fields(self, as_alice, alice):
        response = as_alice.patch(ME, {"email": "evil@example.com", "role": "therapist"}, format="json")
        assert response.status_code == 200
        alice.refresh_from_db()
        assert (alice.email, alice.role) == ("alice@example.com", "partner")

    def test_quiet_hours_can_be_turned_off(self, as_alice, alice):
        response = as_alice.patch(ME, {"quiet_hours_start": None, "quiet_hours_end": None}, format="json")
        assert response.status_code == 200
        alice.refresh_from_db()
        assert alice.quiet_hours_start is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"timezone": "Europe/Atlantis"}, "timezone"),
            ({"timezone": ""}, "timezone"),
            ({"display_name": ""}, "display_name"),
            ({"display_name": "y" * 100}, "display_name"),
            ({"quiet_hours_start": "25:00"}, "quiet_hours_start"),
            ({"quiet_hours_start": None}, "quiet_hours_end"),
            ({"quiet_hours_start": "22:00", "quiet_hours_end": "22:00"}, "quiet_hours_end"),
        ],
    )
    def test_patch_bad_input_keeps_saved_data(self, as_alice, alice, body, field):
        response = as_alice.patch(ME, body, format="json")

        assert response.status_code == 400
        assert field in response.json()
        alice.refresh_from_db()
        assert (alice.display_name, alice.timezone, str(alice.quiet_hours_start)) == (
            "Alice",
            "Europe/Berlin",
            "22:00:00",
        )

    def test_session_auth_needs_csrf(self, alice):
        from rest_framework.test import APIClient

        client = APIClient(enforce_csrf_checks=True)
        client.force_login(alice)
        assert client.get(ME).status_code == 200
        assert client.patch(ME, {"display_name": "X"}, format="json").status_code == 403

    def test_revoked_token_is_rejected(self, alice):
        client = client_for(alice)
        AuthToken.objects.filter(user=alice).delete()
        assert client.get(ME).status_code == 401
