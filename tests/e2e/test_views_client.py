"""The web pages through Django's test client (no browser): access, form
errors, state kept on error, CSRF."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from couples import services
from couples.models import Invite, Membership, PairingBlock
from couples.selectors import couple_for_user
from couples.services import BAD_CODE
from couples.views import LEAVE_PASSWORD_TRIES, TOO_MANY_CODES, TOO_MANY_PASSWORDS
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["home", "pair", "couple-leave", "settings"]


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


# --- Access --------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_signed_out_pages_render_in_our_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="viewport"' in html
    assert "css/steady.css" in html
    assert 'class="form-card' in html


def test_signup_form_asks_for_name_and_timezone(client):
    html = client.get(reverse("account_signup")).content.decode()
    for name in ["display_name", "email", "password1", "timezone"]:
        assert f'name="{name}"' in html
    assert "data-detect-timezone" in html
    # Name first, timezone last.
    assert html.index('name="display_name"') < html.index('name="email"') < html.index('name="timezone"')


def test_signup_through_the_page_creates_a_partner(client):
    response = client.post(
        reverse("account_signup"),
        {"display_name": "Ana", "email": "Ana@Example.com", "password1": PASSWORD, "timezone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="ana@example.com")
    assert (user.display_name, user.timezone, user.role) == ("Ana", "Asia/Tokyo", "partner")


def test_signup_rejects_unknown_timezone_in_plain_words(client):
    response = client.post(
        reverse("account_signup"),
        {"display_name": "Ana", "email": "ana@example.com", "password1": PASSWORD, "timezone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    assert "Choose a timezone from the list" in response.content.decode()
    assert not User.objects.filter(email="ana@example.com").exists()


def test_unpaired_home_goes_to_pair(alice):
    response = signed_in(alice).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("pair")


def test_paired_pair_page_goes_home(alice, couple):
    # Through the first run, which sends anyone who finished or skipped it home.
    client = signed_in(alice)
    response = client.get(reverse("pair"))
    assert response["Location"] == reverse("welcome")
    assert client.get(reverse("pair"), follow=True).status_code == 200


def test_home_names_the_partner_and_nothing_about_their_activity(alice, couple):
    html = signed_in(alice).get(reverse("home")).content.decode()
    assert "You're paired with Bob" in html
    for never in ["last seen", "online", "read receipt", "skipped", "typing"]:
        assert never not in html.lower()


def test_home_has_every_features_card_and_no_placeholders(alice, couple):
    html = signed_in(alice).get(reverse("home")).content.decode()
    for card in ("checkins-card", "gratitude-card", "space-card", "agreements-card", "journal-card"):
        assert f'data-testid="{card}"' in html, card
    assert "css/checkins.css" in html
    # Every feature is built: nothing is labelled "not built yet" any more.
    assert "Not built yet" not in html and 'id="coming"' not in html


def test_therapist_home(theo):
    # A therapist's home is the therapist area; pairing is for partners.
    response = signed_in(theo).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("therapist-home")
    assert signed_in(theo).get(reverse("pair"))["Location"] == reverse("home")


def test_leave_page_when_not_paired_goes_home(alice):
    response = signed_in(alice).get(reverse("couple-leave"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# --- Pair ----------------------------------------------------------------------


def test_pair_shows_the_code_with_expiry_in_my_timezone(alice):
    alice.timezone = "Asia/Tokyo"
    alice.save()
    invite = services.invite_create(user=alice)
    html = signed_in(alice).get(reverse("pair")).content.decode()
    assert invite.display_code in html
    local = invite.expires_at.astimezone(alice.tzinfo)
    assert f"at {local:%H:%M} " in html
    assert "(Asia/Tokyo time)" in html


def test_make_a_new_code_replaces_the_old(alice):
    client = signed_in(alice)
    response = client.post(reverse("pair"), {"action": "new-code"})
    assert response.status_code == 302
    first = Invite.objects.get(created_by=alice)
    response = client.post(reverse("pair"), {"action": "new-code"}, follow=True)
    assert "The old one no longer works" in response.content.decode()
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invite.objects.filter(created_by=alice, revoked_at__isnull=True).count() == 1


def test_bad_code_shows_error_and_keeps_state(alice, bob):
    invite = services.invite_create(user=alice)
    response = signed_in(alice).post(reverse("pair"), {"action": "join", "code": "zzzz-9999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert BAD_CODE.replace("'", "&#x27;") in html
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    # My own code is still shown, and what I typed is still in the box.
    assert invite.display_code in html
    assert 'value="zzzz-9999"' in html
    assert couple_for_user(user=alice) is None


def test_empty_code_is_a_plain_error(alice):
    response = signed_in(alice).post(reverse("pair"), {"action": "join", "code": ""})
    assert "Type the code your partner shows you." in response.content.decode()


def test_own_code_is_explained(alice):
    invite = services.invite_create(user=alice)
    response = signed_in(alice).post(reverse("pair"), {"action": "join", "code": invite.code})
    assert "This is your own code" in response.content.decode()
    assert couple_for_user(user=alice) is None


def test_good_code_pairs_in_any_spelling(alice, bob):
    invite = services.invite_create(user=alice)
    typed = f" {invite.code[:4].lower()} - {invite.code[4:].lower()} "
    response = signed_in(bob).post(reverse("pair"), {"action": "join", "code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("welcome")  # the first run
    assert couple_for_user(user=alice) == couple_for_user(user=bob) is not None


def test_pair_is_throttled_like_the_api(alice, bob):
    client = signed_in(bob)
    for _ in range(10):
        client.post(reverse("pair"), {"action": "join", "code": "ZZZZ-9999"})
    invite = services.invite_create(user=alice)
    response = client.post(reverse("pair"), {"action": "join", "code": invite.code})
    assert response.status_code == 200
    assert TOO_MANY_CODES.replace("'", "&#x27;") in response.content.decode()
    assert couple_for_user(user=bob) is None


def test_check_paired_link_says_not_yet(alice):
    services.invite_create(user=alice)
    html = signed_in(alice).get(reverse("pair") + "?check=1").content.decode()
    assert "Not yet." in html


# --- Leave ---------------------------------------------------------------------


def test_leave_page_explains_and_names_the_partner(alice, couple):
    html = signed_in(alice).get(reverse("couple-leave")).content.decode()
    assert "The couple ends for both of you" in html
    assert "Don&#x27;t let Bob pair with me again" in html


def test_leave_with_wrong_password_shows_error_and_stays(alice, bob, couple):
    response = signed_in(alice).post(reverse("couple-leave"), {"password": "not-it-at-all"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That password is not right." in html
    assert 'role="alert"' in html
    assert couple_for_user(user=alice) == couple == couple_for_user(user=bob)


def test_leave_with_password_unpairs_both(alice, bob, couple):
    response = signed_in(alice).post(reverse("couple-leave"), {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("couple-ended")
    assert "You&#x27;ve left the couple." in response.content.decode()
    assert couple_for_user(user=alice) is None
    assert couple_for_user(user=bob) is None
    assert not PairingBlock.objects.exists()
    # Bob's next visit: home sends him to the calm "ended" page; pairing stays a link.
    bob_client = signed_in(bob)
    assert bob_client.get(reverse("home"))["Location"] == reverse("couple-ended")
    assert "Your couple has ended" in bob_client.get(reverse("couple-ended")).content.decode()
    assert "You're not paired right now" in bob_client.get(reverse("pair")).content.decode()


def test_leave_and_block(alice, bob, couple):
    signed_in(alice).post(reverse("couple-leave"), {"password": PASSWORD, "block_partner": "on"})
    assert PairingBlock.objects.filter(blocker=alice, blocked=bob).exists()
    invite = services.invite_create(user=bob)
    response = signed_in(alice).post(reverse("pair"), {"action": "join", "code": invite.code})
    # The same words as any bad code: nobody is told about the block.
    assert BAD_CODE.replace("'", "&#x27;") in response.content.decode()


def test_leave_password_guessing_is_limited(alice, bob, couple):
    client = signed_in(alice)
    for _ in range(LEAVE_PASSWORD_TRIES):
        client.post(reverse("couple-leave"), {"password": "guess-guess-guess"})
    response = client.post(reverse("couple-leave"), {"password": PASSWORD})
    assert TOO_MANY_PASSWORDS.replace("'", "&#x27;") in response.content.decode()
    assert couple_for_user(user=alice) == couple
    assert Membership.objects.filter(left_at__isnull=True).count() == 2


# --- Settings ------------------------------------------------------------------


def test_settings_shows_current_values(alice):
    html = signed_in(alice).get(reverse("settings")).content.decode()
    assert 'value="Alice"' in html
    # The timezone is a searchable text field now, not a <select>.
    assert re.search(
        r'<input[^>]*name="timezone"[^>]*value="Europe/Berlin"|<input[^>]*value="Europe/Berlin"[^>]*name="timezone"',
        html,
    )
    assert 'value="22:00"' in html and 'value="07:30"' in html


def test_settings_saves(alice):
    response = signed_in(alice).post(
        reverse("settings"),
        {
            "display_name": "Ali",
            "timezone": "America/Chicago",
            "quiet_hours_start": "23:00",
            "quiet_hours_end": "06:45",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("settings")
    assert "Saved." in response.content.decode()
    alice.refresh_from_db()
    assert (alice.display_name, alice.timezone) == ("Ali", "America/Chicago")
    assert (alice.quiet_hours_start, alice.quiet_hours_end) == (dt.time(23, 0), dt.time(6, 45))


def test_settings_clears_quiet_hours(alice):
    signed_in(alice).post(reverse("settings"), {"display_name": "Alice", "timezone": "Europe/Berlin"})
    alice.refresh_from_db()
    assert alice.quiet_hours_start is None and alice.quiet_hours_end is None


def test_settings_rejects_bad_timezone(alice):
    response = signed_in(alice).post(
        reverse("settings"), {"display_name": "Alice", "timezone": "Europe/Atlantis", "quiet_hours_start": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a timezone from the list" in html
    assert 'aria-invalid="true"' in html
    alice.refresh_from_db()
    assert alice.timezone == "Europe/Berlin"


def test_settings_rejects_half_quiet_hours(alice):
    response = signed_in(alice).post(
        reverse("settings"), {"display_name": "Alice", "timezone": "Europe/Berlin", "quiet_hours_start": "22:00"}
    )
    assert response.status_code == 200
    assert "Set both ends of quiet hours, or neither." in response.content.decode()
    alice.refresh_from_db()
    assert alice.quiet_hours_end == dt.time(7, 30)


def test_settings_rejects_empty_name(alice):
    response = signed_in(alice).post(reverse("settings"), {"display_name": "  ", "timezone": "Europe/Berlin"})
    assert "Tell us what to call you." in response.content.decode()


# --- CSRF ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("pair", {"action": "new-code"}),
        ("couple-leave", {"password": PASSWORD}),
        ("settings", {"display_name": "Eve", "timezone": "UTC"}),
    ],
)
def test_posts_need_csrf_token(alice, bob, couple, name, data):
    client = signed_in(alice, enforce_csrf_checks=True)
    if name == "pair":
        Membership.objects.all().delete()
    response = client.post(reverse(name), data)
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert not Invite.objects.exists()
    if name == "couple-leave":
        assert couple_for_user(user=alice) == couple


def test_post_with_csrf_token_works(alice):
    client = signed_in(alice, enforce_csrf_checks=True)
    client.get(reverse("settings"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("settings"), {"display_name": "Ali", "timezone": "UTC", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == "Ali"


def test_sign_out_is_post_only_with_csrf(alice):
    client = signed_in(alice, enforce_csrf_checks=True)
    assert client.post(reverse("account_logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 302  # still signed in (to pair)
    assert "_auth_user_id" in client.session
