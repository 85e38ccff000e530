"""The whole journey, end to end, as real people on real phones (390x844):

alice and bob sign up on the web and pair with a code; agree on a check-in
schedule; answer a check-in and see it revealed together; run a live
check-in over real websockets; alice sends a note of appreciation and bob
sends back a reaction; bob takes space and comes back on time while alice
sees a calm status; they agree on an agreement; alice writes in her journal
and bob finds nothing of it; theo joins as a therapist, confirms his email,
sets up two-factor, makes a connect code; alice asks with what to share, bob
approves, theo reads the summary, alice reads the access log, bob stops it
and theo's very next request is a 404.

Everything is served by one uvicorn ASGI server (``asgi_server`` in
conftest.py): HTTP and websockets on the same test database. Like
``test_live_flow.py`` it runs on PostgreSQL (SQLite's shared-cache test
database takes table locks under concurrent requests).

Each page visited is saved as ``test-artifacts/screenshots/journey-NN-*.png``.
"""

import base64
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from agreements.models import Agreement
from checkins.models import CheckIn, Schedule
from couples.models import Couple
from gratitude.models import Note
from journal.models import Entry
from space.models import SpacePeriod
from space.views import clock
from therapists.models import AccessEvent, Grant

from ..factories import PASSWORD
from ..test_therapists_support import totp_code
from .conftest import SCREENSHOTS
from .helpers import confirm_email, live_text_steps, no_horizontal_scroll

pytestmark = pytest.mark.postgres

TIMEOUT = 20_000  # three phones and a server on two busy cores
TEST_KEK = base64.urlsafe_b64encode(b"j" * 32).decode()

ALICE_PULSE = {"mood": "Good", "appreciated": "ALICE-the tea you made this morning", "need": "ALICE-an early night"}
BOB_PULSE = {"mood": "Low", "appreciated": "BOB-how patient you were with mum", "need": "BOB-a walk after dinner"}
NOTE = "NOTE-You stayed calm when the car broke down and made it an adventure."
SPACE_NOTE = "SPACE-I need to cool down. I love you, I'll be back."
AGREEMENT = "Phones away at dinner"
AGREEMENT_DETAILS = "AGREEMENT-Both phones go in the basket from 19:00 to 20:00 on weeknights."
JOURNAL = "JOURNAL-Sent him a photo at lunch; no reply all afternoon."
JOURNAL_STORY = "JOURNAL-He's bored of me."


@pytest.fixture(autouse=True)
def _journey_settings(settings, tmp_path):
    # The server runs in this process: it uses this journal key store too.
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False


@pytest.fixture
def slow_expect():
    """``expect()`` waits as long as the pages do (Playwright's default is
    5 s); put back afterwards, since the setting is global."""
    before = expect._timeout
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=before)


@pytest.fixture
def phone(browser, browser_context_args, asgi_server, slow_expect):
    """``phone(timezone_id)``: a new phone (its own cookies) on the ASGI
    server, signed in as nobody."""
    contexts = []

    def _phone(timezone_id: str) -> Page:
        context = browser.new_context(**{**browser_context_args, "timezone_id": timezone_id}, base_url=asgi_server)
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        return context.new_page()

    yield _phone
    for context in contexts:
        context.close()


@pytest.fixture
def snap(shot):
    """``snap(page, name)``: ``journey-NN-name.png``, numbered in order
    (last run's are removed first, so the folder shows this run only)."""
    for old in SCREENSHOTS.glob("journey-*.png"):
        old.unlink(missing_ok=True)
    count = iter(range(1, 1000))

    def _snap(page: Page, name: str) -> None:
        assert no_horizontal_scroll(page), f"{name}: scrolls sideways"
        shot(page, f"journey-{next(count):02d}-{name}")

    return _snap


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def sign_up(page: Page, *, name: str, email: str, tz: str, snap) -> None:
    page.goto("/accounts/signup/")
    expect(h1(page)).to_have_text("Create your account")
    expect(page.get_by_label("Your timezone")).to_have_value(tz)  # from the phone
    page.get_by_label("Your first name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    snap(page, f"{name.lower()}-signup")
    page.get_by_role("button", name="Create my account").click()
    confirm_email(page, email)
    expect(page).to_have_url(re.compile(r"/pair/$"))
    expect(h1(page)).to_have_text("Pair with your partner")
    snap(page, f"{name.lower()}-pair")


def answer_pulse(page: Page, values: dict, snap, who: str) -> None:
    """The daily pulse, step by step."""
    expect(page.get_by_test_id("progress")).to_have_text("Step 1 of 3")
    page.get_by_role("radio", name=values["mood"]).check()
    snap(page, f"{who}-checkin-step-1")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("progress")).to_have_text("Step 2 of 3")
    page.get_by_role("textbox", name="One thing I appreciated about you today…").fill(values["appreciated"])
    snap(page, f"{who}-checkin-step-2")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("progress")).to_have_text("Step 3 of 3")
    page.get_by_role("textbox").fill(values["need"])
    snap(page, f"{who}-checkin-step-3")
    page.get_by_role("button", name="Send my answers").click()


def start_pulse(page: Page) -> None:
    """Starts a daily pulse now, from the check-ins page; ends on step 1."""
    page.goto("/checkins/")
    page.locator("summary", has_text="Start one now").click()
    page.get_by_role("radio", name=re.compile("^Daily pulse")).check()
    page.get_by_role("button", name="Start this check-in").click()
    expect(page).to_have_url(re.compile(r"/checkins/\d+/$"))


def test_the_whole_journey(phone, snap):
    a = phone("Europe/Berlin")
    b = phone("America/New_York")

    # --- 1. Sign up on the web, pair with a code --------------------------------
    sign_up(a, name="Alice", email="alice@example.com", tz="Europe/Berlin", snap=snap)
    sign_up(b, name="Bob", email="bob@example.com", tz="America/New_York", snap=snap)

    a.get_by_role("button", name="Show my code").click()
    code = a.get_by_test_id("invite-code")
    expect(code).to_have_text(re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}"))
    snap(a, "alice-pair-code")
    pair_code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code.inner_text()).group(0)

    b.get_by_label("Enter your partner's code", exact=True).fill(pair_code)
    b.get_by_role("button", name="Pair with my partner").click()
    # The first run comes next (test_firstrun_flow.py walks it); skipped here.
    expect(b).to_have_url(re.compile(r"/welcome/$"))
    snap(b, "bob-welcome")
    b.get_by_test_id("welcome-skip").click()
    expect(b.get_by_test_id("paired-with")).to_have_text("You're paired with Alice")
    snap(b, "bob-home-paired")
    a.get_by_test_id("check-paired").click()
    expect(a).to_have_url(re.compile(r"/welcome/$"))
    a.get_by_test_id("welcome-skip").click()
    expect(a.get_by_test_id("paired-with")).to_have_text("You're paired with Bob")
    snap(a, "alice-home-paired")
    alice = User.objects.get(email="alice@example.com")
    bob = User.objects.get(email="bob@example.com")
    couple = Couple.objects.get(ended_at__isnull=True)
    assert (alice.timezone, bob.timezone) == ("Europe/Berlin", "America/New_York")

    # --- 2. A check-in schedule: alice proposes, bob accepts ----------------------
    a.goto("/checkins/schedules/")
    expect(a.get_by_text("No schedule yet")).to_be_visible()
    a.get_by_role("radio", name=re.compile("^Daily pulse")).check()
    for day in ["Monday", "Wednesday", "Friday"]:
        a.get_by_role("checkbox", name=day).check()
    a.get_by_label("At what time").fill("20:30")
    snap(a, "alice-schedule-propose")
    a.get_by_role("button", name="Propose to Bob").click()
    expect(a.get_by_test_id("schedule-status")).to_have_text("Waiting for Bob to accept")
    expect(a.get_by_test_id("schedule")).to_contain_text("Mondays, Wednesdays and Fridays at 20:30")
    snap(a, "alice-schedule-proposed")

    b.goto("/checkins/schedules/")
    expect(b.get_by_test_id("schedule-status")).to_have_text("Alice proposed this")
    snap(b, "bob-schedule-to-accept")
    b.get_by_role("button", name="Accept").click()
    expect(b.get_by_test_id("schedule-status")).to_have_text("Active")
    expect(b.get_by_test_id("schedule")).to_contain_text("(Europe/Berlin time)")
    snap(b, "bob-schedule-active")
    a.reload()
    expect(a.get_by_test_id("schedule-status")).to_have_text("Active")
    snap(a, "alice-schedule-active")
    assert Schedule.objects.get(couple=couple).status == "active"

    # --- 3. A check-in, hidden until both answered, then revealed -----------------
    start_pulse(a)
    checkin_url = a.url
    answer_pulse(a, ALICE_PULSE, snap, "alice")
    expect(h1(a)).to_have_text("Your answers are in")
    expect(a.get_by_test_id("waiting")).to_contain_text("once Bob has answered too")
    snap(a, "alice-checkin-waiting")

    b.goto("/checkins/")
    b.get_by_test_id("open-checkin").click()
    expect(b).to_have_url(checkin_url)
    expect(b.get_by_test_id("progress")).to_have_text("Step 1 of 3")
    html = b.content()
    for text in [ALICE_PULSE["appreciated"], ALICE_PULSE["need"], "answers are in"]:
        assert text not in html, f"bob sees {text!r} before answering"
    answer_pulse(b, BOB_PULSE, snap, "bob")
    expect(h1(b)).to_have_text("You both answered")
    expect(b.get_by_test_id("answer-theirs").nth(1)).to_contain_text(ALICE_PULSE["appreciated"])
    expect(b.get_by_test_id("answer-mine").nth(1)).to_contain_text(BOB_PULSE["appreciated"])
    snap(b, "bob-checkin-reveal")
    a.reload()
    expect(h1(a)).to_have_text("You both answered")
    expect(a.get_by_test_id("answer-theirs").nth(2)).to_contain_text(BOB_PULSE["need"])
    snap(a, "alice-checkin-reveal")
    assert CheckIn.objects.get(couple=couple, schedule__isnull=True).revealed_at is not None

    # --- 4. A live check-in, two phones, real websockets -------------------------
    start_pulse(a)
    live_url = a.url + "live/"
    a.get_by_test_id("go-live").click()
    expect(a).to_have_url(live_url)
    a.get_by_text("Waiting for Bob to open this page").wait_for()
    snap(a, "alice-live-waiting-for-bob")
    b.goto("/checkins/")
    b.get_by_test_id("open-checkin").click()
    b.get_by_test_id("go-live").click()
    expect(b).to_have_url(live_url)
    a.get_by_text("Bob is here.").wait_for()
    b.get_by_text("Alice is here.").wait_for()
    snap(b, "bob-live-both-here")

    a.locator("label[for=live-mood-4]").click()
    a.get_by_test_id("live-share").click()
    a.get_by_test_id("live-waiting").wait_for()
    assert b.get_by_test_id("live-reveal").count() == 0
    b.locator("label[for=live-mood-2]").click()
    b.get_by_test_id("live-share").click()
    for page, other_word in ((a, "Low"), (b, "Good")):
        expect(page.get_by_test_id("live-reveal")).to_contain_text(other_word)
    snap(a, "alice-live-mood-revealed")
    a.get_by_test_id("live-ready").click()
    b.get_by_text("Alice is ready to go on.").wait_for()
    b.get_by_test_id("live-ready").click()
    live_text_steps(
        a,
        b,
        [
            ("LIVE-ALICE-thanks for the soup", "LIVE-BOB-thanks for listening", "Step 2 of 3"),
            ("LIVE-ALICE-a quiet weekend", "LIVE-BOB-a walk tomorrow", "Step 3 of 3"),
        ],
    )
    for page in (a, b):
        expect(page.get_by_test_id("live-finished")).to_contain_text("LIVE-BOB-a walk tomorrow")
    snap(a, "alice-live-finished")
    snap(b, "bob-live-finished")
    assert CheckIn.objects.filter(couple=couple, revealed_at__isnull=False).count() == 2

    # --- 5. A note of appreciation, and bob's reaction ---------------------------
    a.get_by_test_id("live-note").click()  # "write a note", from the end of the live check-in
    expect(a).to_have_url(re.compile(r"/gratitude/write/$"))
    expect(h1(a)).to_have_text("A note for Bob")
    a.get_by_role("textbox", name="Your note").fill(NOTE)
    snap(a, "alice-note-write")
    a.get_by_test_id("send-note").click()
    expect(a.get_by_role("status")).to_contain_text("Sent. Bob can read it now.")
    snap(a, "alice-note-sent")

    b.goto("/gratitude/")
    note = b.get_by_test_id("note").first
    expect(note).to_contain_text("From Alice")
    expect(note).to_contain_text(NOTE)
    snap(b, "bob-jar")
    note.get_by_test_id("react-hug").click()
    expect(b.get_by_role("status")).to_contain_text("Sent back: A hug.")
    expect(b.get_by_test_id("react-hug")).to_have_attribute("aria-pressed", "true")
    snap(b, "bob-jar-reacted")
    a.reload()
    expect(a.get_by_test_id("reply")).to_have_text(re.compile(r"Bob sent back:\s+A hug"))
    snap(a, "alice-note-reaction")
    assert Note.objects.get(couple=couple).reaction == "hug"

    # --- 6. Bob takes space; alice sees a calm status; bob comes back on time ---
    b.goto("/space/")
    expect(b.get_by_role("heading", name="Need some space?")).to_be_visible()
    b.get_by_text("1 hour", exact=True).click()
    b.get_by_label("A note for Alice").fill(SPACE_NOTE)
    snap(b, "bob-space-take")
    b.get_by_test_id("take-space").click()
    expect(b.get_by_role("status")).to_contain_text("Alice can see you're taking some space until")
    expect(b.get_by_test_id("space-mine")).to_contain_text("You said you'd reconnect by")
    snap(b, "bob-space-taking")
    period = SpacePeriod.objects.get(author=bob, status="open")
    at_alice = clock(period.reconnect_by, alice.tzinfo, timezone.now())  # on her own clock

    a.goto("/space/")
    theirs = a.get_by_test_id("space-theirs")
    expect(theirs).to_contain_text(f"Bob is taking some space and plans to reconnect by {at_alice}.")
    expect(theirs).to_contain_text(SPACE_NOTE)
    expect(theirs.get_by_role("button")).to_have_count(0)  # nothing to press, nothing to chase
    snap(a, "alice-space-calm-status")
    a.goto("/")
    expect(a.get_by_test_id("home-space-theirs")).to_contain_text(
        f"Bob is taking some space and plans to reconnect by {at_alice}"
    )
    snap(a, "alice-home-calm-status")

    b.get_by_test_id("reconnect").click()
    expect(b.get_by_role("status")).to_contain_text("Welcome back, right when you said.")
    snap(b, "bob-space-back")
    a.goto("/space/")
    expect(a.get_by_test_id("space-theirs")).to_have_count(0)
    expect(a.get_by_test_id("followthrough")).to_contain_text("you two came back when you said you would once")
    snap(a, "alice-space-after")
    assert SpacePeriod.objects.get(author=bob).status == "kept"

    # --- 7. An agreement: alice proposes, bob accepts ----------------------------
    a.goto("/agreements/")
    expect(a.get_by_text("No agreements yet")).to_be_visible()
    a.get_by_role("link", name="Propose an agreement").click()
    a.get_by_label("In a few words").fill(AGREEMENT)
    a.get_by_label("What exactly you both agree to").fill(AGREEMENT_DETAILS)
    a.get_by_role("radio", name="Phones and privacy").check()
    a.get_by_label("Look at it together").select_option(label="Every two weeks")
    snap(a, "alice-agreement-propose")
    a.get_by_role("button", name="Propose to Bob").click()
    expect(h1(a)).to_have_text(AGREEMENT)
    expect(a.get_by_test_id("agreement-status")).to_have_text("Waiting for Bob")
    snap(a, "alice-agreement-proposed")

    b.goto("/agreements/")
    row = b.get_by_role("region", name="Waiting for you").get_by_test_id("agreement-row")
    expect(row).to_contain_text(AGREEMENT)
    snap(b, "bob-agreements")
    row.click()
    expect(b.get_by_test_id("agreement-status")).to_have_text("Alice proposed this")
    expect(b.get_by_test_id("wording")).to_contain_text(AGREEMENT_DETAILS)
    snap(b, "bob-agreement-review")
    b.get_by_role("button", name="I agree to this").click()
    expect(b.get_by_test_id("agreement-status")).to_have_text("Agreed by you both")
    snap(b, "bob-agreement-active")
    a.reload()
    expect(a.get_by_test_id("agreement-status")).to_have_text("Agreed by you both")
    snap(a, "alice-agreement-active")
    assert Agreement.objects.get(couple=couple).status == "active"

    # --- 8. Alice's journal; bob finds nothing of it -----------------------------
    a.goto("/journal/")
    expect(h1(a)).to_have_text("Your journal")
    snap(a, "alice-journal")
    a.get_by_test_id("journal-trigger").click()
    expect(h1(a)).to_have_text("Log a hard moment")
    a.get_by_label("What happened?").fill(JOURNAL)
    a.get_by_test_id("trigger-next").click()
    a.get_by_role("radio", name="No reply from my partner").check()
    a.get_by_test_id("trigger-next").click()
    a.get_by_role("group", name="How strong is the feeling right now?").get_by_role(
        "radio", name="7", exact=True
    ).check()
    a.get_by_test_id("trigger-next").click()
    a.get_by_label("The story I'm telling myself").fill(JOURNAL_STORY)
    a.get_by_test_id("trigger-next").click()  # what I need: skipped
    a.get_by_test_id("trigger-skip").click()
    snap(a, "alice-journal-trigger")
    a.get_by_role("button", name="Save, then breathe").click()
    expect(a).to_have_url(re.compile(r"/journal/\d+/breathe/$"))
    expect(h1(a)).to_have_text("Breathe for a moment")
    snap(a, "alice-journal-breathe")
    a.get_by_role("group", name="How strong is the feeling now?").get_by_role("radio", name="4", exact=True).check()
    a.get_by_test_id("after-save").click()
    expect(a).to_have_url(re.compile(r"/journal/\d+/$"))
    expect(a.get_by_role("status")).to_have_text("Saved. It went from 7 to 4.")
    expect(a.get_by_test_id("entry")).to_contain_text(JOURNAL)
    expect(a.get_by_test_id("sharing")).to_contain_text("Only you.")
    snap(a, "alice-journal-entry")
    entry_url = a.url
    entry = Entry.objects.get(author=alice)
    assert entry_url.endswith(f"/journal/{entry.pk}/")

    response = b.goto(entry_url)
    assert response.status == 404
    assert JOURNAL not in b.content()
    snap(b, "bob-journal-entry-404")
    for path in ["/", "/journal/", "/journal/shared/", "/journal/patterns/", "/notifications/"]:
        b.goto(path)
        expect(h1(b)).to_be_visible()
        html = b.content()
        for text in [JOURNAL, JOURNAL_STORY, "No reply from my partner"]:
            assert text not in html, f"bob's {path} shows {text!r}"
        if path == "/journal/shared/":
            expect(b.get_by_test_id("shared-empty")).to_be_visible()  # nothing shared with him
        snap(b, f"bob-nothing-on-{path.strip('/').replace('/', '-') or 'home'}")

    # --- 9. Theo joins, two-factor, a connect code; consent; read; log; revoke ---
    t = phone("Europe/Berlin")
    t.goto("/accounts/signup/")
    t.get_by_role("link", name="Join as a therapist").click()
    expect(h1(t)).to_have_text("Join as a therapist")
    t.get_by_label("Your name, as couples will see it").fill("Theo")
    t.get_by_label("Email").fill("theo@example.com")
    t.get_by_label("Password").fill(PASSWORD)
    snap(t, "theo-join")
    t.get_by_role("button", name="Create my therapist account").click()
    confirm_email(t, "theo@example.com")
    expect(t).to_have_url(re.compile(r"/therapist/security/$"))
    expect(h1(t)).to_have_text("Protect your account")
    assert User.objects.get(email="theo@example.com").role == User.Role.THERAPIST
    snap(t, "theo-security")

    # Nothing of any couple before two-factor: /therapist/ sends him back here.
    t.goto("/therapist/")
    expect(t).to_have_url(re.compile(r"/therapist/security/$"))
    snap(t, "theo-therapist-home-redirects-to-security")

    # His address was confirmed at sign-up: the authenticator app is next.
    setup = t.get_by_test_id("setup-totp")
    expect(setup).to_be_visible()
    setup.click()
    # He signed in moments ago: no second password page (issue #20, item 8).
    totp_heading = t.get_by_role("heading", name="Set up your authenticator app")
    expect(totp_heading).to_be_visible()
    expect(t.get_by_role("heading", name="Confirm it's you")).to_have_count(0)
    snap(t, "theo-totp-setup")
    secret = t.get_by_test_id("totp-secret").text_content().strip()
    t.get_by_label("Authenticator code").fill(totp_code(secret))
    t.get_by_role("button", name="Turn it on").click()
    expect(t.get_by_test_id("recovery-codes")).to_be_visible()
    snap(t, "theo-recovery-codes")

    t.goto("/therapist/")
    snap(t, "theo-home")
    t.get_by_role("button", name="Make a new code").click()
    connect = t.get_by_test_id("new-connect-code")
    expect(connect).to_have_text(re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}"))
    connect_code = connect.text_content().strip()
    snap(t, "theo-connect-code")

    # Alice enters it, with what to share.
    a.goto("/couple/therapists/")
    a.get_by_label("Your therapist's code").fill(connect_code.lower())
    for scope in (
        "Check-in consistency",
        "Mood trends",
        "Agreements",
        "Notes of appreciation",
        "Promises to reconnect",
        "Trigger patterns",
    ):
        a.get_by_role("checkbox", name=re.compile(f"^{scope}")).check()
    snap(a, "alice-therapist-ask")
    a.get_by_role("button", name="Ask Bob to approve").click()
    expect(a.get_by_role("status")).to_contain_text("Nothing is shared until Bob approves")
    snap(a, "alice-therapist-asked")
    summary_url = f"/therapist/couples/{couple.pk}/"
    assert t.goto(summary_url).status == 404  # not before bob approves
    snap(t, "theo-summary-404-before-approval")

    # Bob approves the same.
    b.goto("/couple/therapists/")
    waiting = b.get_by_test_id("grants-waiting")
    expect(waiting).to_contain_text("Alice asked on")
    expect(waiting).to_contain_text("Trigger patterns")
    snap(b, "bob-therapist-approve")
    b.get_by_role("button", name="Approve and share").click()
    expect(b.get_by_role("status")).to_contain_text("Theo can now see what you both chose")
    snap(b, "bob-therapist-approved")

    # Theo reads the summary: numbers, never words.
    t.goto("/therapist/")
    expect(t.get_by_test_id("therapist-couple")).to_contain_text("Alice and Bob")
    snap(t, "theo-home-couple")
    t.get_by_test_id("therapist-couple").click()
    expect(t).to_have_url(re.compile(rf"{summary_url}$"))
    expect(t.get_by_role("heading", name="Alice and Bob")).to_be_visible()
    for key in (
        "checkin_consistency",
        "mood_trends",
        "agreements",
        "gratitude_frequency",
        "reconnect_followthrough",
        "trigger_patterns",
    ):
        expect(t.get_by_test_id(f"section-{key}")).to_be_visible()
    expect(t.get_by_test_id("section-agreements")).to_contain_text(AGREEMENT)
    expect(t.get_by_test_id("section-gratitude_frequency")).to_contain_text("1 note of appreciation")
    expect(t.get_by_test_id("section-reconnect_followthrough")).to_contain_text(re.compile(r"Back on time\s*1"))
    html = t.content()
    for text in [NOTE, SPACE_NOTE, AGREEMENT_DETAILS, JOURNAL, JOURNAL_STORY, ALICE_PULSE["need"], "LIVE-"]:
        assert text not in html, f"theo's summary shows {text!r}"
    snap(t, "theo-summary")

    # Alice reads who looked.
    a.goto("/couple/therapists/log/")
    log = a.get_by_test_id("access-log")
    expect(log).to_contain_text("Theo viewed your check-in consistency, mood trends")
    expect(log).to_contain_text("Theo opened their list of couples")
    snap(a, "alice-access-log")
    events = AccessEvent.objects.filter(couple=couple).count()

    # Bob stops it; theo's very next request is a 404.
    b.goto("/couple/therapists/")
    b.get_by_role("button", name="Stop sharing now").click()
    expect(b.get_by_role("status")).to_contain_text("Theo can no longer see anything")
    snap(b, "bob-therapist-stopped")
    assert t.goto(summary_url).status == 404
    snap(t, "theo-summary-404-after-revoke")
    assert Grant.objects.get(couple=couple).status == "revoked"
    assert AccessEvent.objects.filter(couple=couple).count() == events
