"""Accessibility in a real browser: axe-core (from npm, see package.json)
finds no serious or critical problem on any main page, in light and dark
mode; and the pattern for keyboard use holds on the pair page and a
check-in step (everything reachable with Tab, visibly focused, usable with
Enter, Space and the arrow keys; errors announced and focused).

axe is injected before the page's own scripts (an init script, which the
site's Content-Security-Policy does not block), so the pages are checked
exactly as served. Without node_modules/axe-core (``npm ci``) the axe tests
skip, except under CI=true, where they fail.
"""

import base64
import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from agreements import services as agreements
from checkins import services as checkins
from checkins.formats import builtin_formats_sync
from checkins.models import Format
from couples.services import couple_leave
from gratitude import services as gratitude
from journal import services as journal
from repair import conversation
from space import services as space
from tests.factories import PASSWORD, UserFactory, make_couple

from .helpers import no_horizontal_scroll, small_targets

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"
BLOCKING = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => ["serious", "critical"].includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({
        target: n.target.join(" "),
        html: n.html.slice(0, 160),
        why: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300),
      })),
    }));
}"""


@pytest.fixture
def axe_source():
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE}): run `npm ci --no-audit --no-fund`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


@pytest.fixture(autouse=True)
def _keystore(settings, tmp_path):
    # Journal entries are sealed with a key from a key store; the live
    # server runs in this process and uses this one.
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = base64.urlsafe_b64encode(b"a" * 32).decode()
    settings.STEADY_KEK_DEV_FALLBACK = False


@pytest.fixture
def lived_in(alice, bob, couple):
    """A couple a few weeks in: a schedule, a check-in revealed and one
    open, a note, an agreement to answer, journal entries, Bob taking
    space. Pages with something on them have more to get wrong."""
    builtin_formats_sync(Format)
    pulse = Format.objects.get(key="daily-pulse")
    schedule = checkins.schedule_propose(
        couple=couple, user=alice, format=pulse, weekdays=[0, 3], time=dt.time(20, 0), timezone_name="Europe/Berlin"
    )
    checkins.schedule_accept(schedule=schedule, user=bob)
    revealed = checkins.checkin_start(couple=couple, user=alice, format=pulse)
    checkins.checkin_answer(
        checkin=revealed, author=alice, values={"mood": 4, "appreciated": "The tea", "need": "An early night"}
    )
    checkins.checkin_answer(
        checkin=revealed, author=bob, values={"mood": 2, "appreciated": "Your patience", "need": "A walk"}
    )
    open_one = checkins.checkin_start(couple=couple, user=bob, format=pulse)
    gratitude.note_send(couple=couple, author=bob, text="Thank you for listening last night.")
    agreements.agreement_propose(
        couple=couple,
        user=bob,
        title="No phones at dinner",
        category="phones_and_privacy",
        details="Both of us, every evening.",
    )
    now = timezone.now()
    journal.entry_create(author=alice, kind="entry", text="A calmer week.", mood=4, now=now - dt.timedelta(days=2))
    journal.entry_create(
        author=alice,
        kind="trigger",
        text="No reply all afternoon.",
        trigger_category="no_reply",
        intensity_before=7,
        intensity_after=4,
        now=now - dt.timedelta(days=1),
    )
    space.space_take(couple=couple, user=bob, reconnect_by=now + dt.timedelta(hours=2), note="A walk to clear my head")
    # A repair conversation two steps in: the next one can link a trigger entry.
    talk = conversation.repair_start(couple=couple, user=alice)
    for step in ("felt", "needed"):
        conversation.repair_answer(repair_id=talk.pk, user=alice, step=step, text="Scared, then sad.")
        conversation.repair_answer(repair_id=talk.pk, user=bob, step=step, text="Cornered.")
    return {"revealed": revealed, "open": open_one, "repair": talk}


def check_pages(page: Page, paths: list[tuple[str, str]]) -> dict[str, list]:
    found = {}
    for label, path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, f"{label}: {path} answered {response and response.status}"
        violations = page.evaluate(RUN_AXE)
        # Our own phone rules, on the same pages: no sideways scrolling and
        # 44 px touch targets (axe asks only 24 px).
        if not no_horizontal_scroll(page):
            violations.append(phone_rule("no-sideways-scroll", "The page scrolls sideways"))
        if small := small_targets(page):
            violations.append(phone_rule("touch-target-44", "Touch targets under 44 px", small))
        if violations:
            found[f"{label} ({path})"] = violations
    return found


def phone_rule(rule: str, help_text: str, where: list[str] = ()) -> dict:
    return {
        "id": rule,
        "impact": "serious",
        "help": help_text,
        "nodes": [{"target": w, "html": "", "why": ""} for w in where],
    }


def report(found: dict[str, list], scheme: str) -> str:
    lines = [f"axe found serious or critical problems ({scheme}):"]
    for page, violations in found.items():
        lines.append(f"\n== {page}")
        for v in violations:
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
            for node in v["nodes"]:
                lines.append(f"      at {node['target']}")
                lines.extend(f"        {text}" for text in (node["html"], node["why"]) if text)
    return "\n".join(lines)


@pytest.mark.parametrize(("scheme", "width"), [("light", 360), ("dark", 390)])
def test_no_serious_axe_violations_on_any_main_page(new_phone, phone_for, axe_source, alice, lived_in, scheme, width):
    """Light mode on the narrowest phone we support, dark on a common one."""
    found = {}

    page = new_phone(color_scheme=scheme, width=width)
    page.add_init_script(axe_source)
    found |= check_pages(
        page,
        [
            ("log in", "/accounts/login/"),
            ("sign up", "/accounts/signup/"),
            ("password reset", "/accounts/password/reset/"),
            ("offline", "/offline/"),
        ],
    )
    # With errors on screen too.
    page.goto("/accounts/signup/")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    if violations := page.evaluate(RUN_AXE):
        found["sign up with errors"] = violations

    revealed, open_one = lived_in["revealed"].pk, lived_in["open"].pk
    page = phone_for(alice, color_scheme=scheme, width=width)
    page.add_init_script(axe_source)
    found |= check_pages(
        page,
        [
            ("home", "/"),
            ("pair (paired: the first run)", "/pair/"),
            ("first run: schedule", "/welcome/?again=1"),
            ("first run: notifications", "/welcome/notifications/"),
            ("first run: quiet hours", "/welcome/quiet-hours/"),
            ("first run: privacy", "/welcome/privacy/"),
            ("daily question", "/daily/"),
            ("daily history", "/daily/history/"),
            ("daily themes", "/daily/themes/"),
            ("settings", "/settings/"),
            ("reminders", "/settings/notifications/"),
            ("notifications", "/notifications/"),
            ("check-ins", "/checkins/"),
            ("schedules", "/checkins/schedules/"),
            ("a check-in step", f"/checkins/{open_one}/"),
            ("the reveal", f"/checkins/{revealed}/"),
            ("history", "/checkins/history/"),
            ("live session", f"/checkins/{open_one}/live/"),
            ("write a note", "/gratitude/write/"),
            ("the jar", "/gratitude/"),
            ("space", "/space/"),
            ("agreements", "/agreements/"),
            ("propose an agreement", "/agreements/new/"),
            ("journal", "/journal/"),
            ("trigger log", "/journal/trigger/"),
            ("patterns", "/journal/patterns/"),
            ("help now", "/journal/help/"),
            ("more", "/more/"),
            ("therapist access", "/couple/therapists/"),
            ("repair", "/repair/"),
            ("promises", "/promises/"),
            ("a repair conversation", f"/repair/{lived_in['repair'].pk}/"),
            ("check-up", "/checkups/"),
            ("safety check", "/safety/"),
            ("safety: help now", "/safety/help/"),
            ("safety: past answers", "/safety/answers/"),
            ("leave the couple", "/couple/leave/"),
            ("delete your account", "/settings/delete/"),
            ("who can pair with you", "/settings/pairing/"),
        ],
    )

    unpaired = UserFactory(display_name="Sam")
    page = phone_for(unpaired, path="/", color_scheme=scheme, width=width)
    page.add_init_script(axe_source)
    found |= check_pages(page, [("pair", "/pair/"), ("pair, sent from a couple page", "/checkins/")])

    # A couple that has ended: the calm page both former partners land on.
    former, other = UserFactory(display_name="Remy"), UserFactory(display_name="Noor")
    ended_couple = make_couple(former, other)
    gratitude.note_send(couple=ended_couple, author=other, text="For the history page")
    couple_leave(user=other, password=PASSWORD)
    ended = phone_for(former, path="/", color_scheme=scheme, width=width)
    ended.add_init_script(axe_source)
    history = f"/couple/ended/{ended_couple.pk}/"
    found |= check_pages(
        ended,
        [
            ("the couple has ended", "/couple/ended/"),
            ("what you wrote: check-ins", history),
            ("what you wrote: notes", f"{history}?section=notes"),
            ("what you wrote: agreements", f"{history}?section=agreements"),
        ],
    )
    # Asked for the password again, in our words (a therapist signed in long ago).
    therapist = UserFactory(display_name="Dr Lind", role="therapist")
    confirm = phone_for(therapist, path="/", color_scheme=scheme, width=width)
    confirm.add_init_script(axe_source)
    found |= check_pages(confirm, [("confirm it's you", "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/")])
    page.get_by_role("button", name="Show my code").click()
    expect(page.get_by_test_id("invite-code")).to_be_visible()
    page.get_by_role("button", name="Pair with my partner").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    if violations := page.evaluate(RUN_AXE):
        found["pair with a code and an error"] = violations

    assert not found, report(found, f"{scheme} mode, {width} px")


# --- Keyboard -------------------------------------------------------------------

# One name for a control, the same whether found by Tab or in the page.
# Radios in one group are one tab stop (the arrow keys move within it).
DESCRIBE = """(el) => {
  if (el.type === "radio") return `radio:${el.name}`;
  const label = el.getAttribute("aria-label") || el.textContent.trim().replace(/\\s+/g, " ").slice(0, 50)
    || el.getAttribute("name") || "";
  return `${el.tagName.toLowerCase()}#${el.id}|${label}`;
}"""

FOCUSED = f"""() => {{
  const describe = {DESCRIBE};
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
  return {{ key: describe(el), ring }};
}}"""

# Everything in <main> that a pointer could use.
CONTROLS = f"""() => {{
  const describe = {DESCRIBE};
  const selector = "main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary";
  return [...new Set([...document.querySelectorAll(selector)]
    .filter((el) => el.offsetParent !== null && !el.disabled)
    .map(describe))];
}}"""


def tab_through(page: Page, limit: int = 60) -> list[dict]:
    """Presses Tab from the top of the page until focus leaves the page or
    comes back round; returns each focused element."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (stops and focused["key"] == stops[0]["key"]):
            break
        stops.append(focused)
    return stops


def reached_everything(page: Page, stops: list[dict]) -> None:
    keys = [s["key"] for s in stops]
    missed = [control for control in page.evaluate(CONTROLS) if control not in keys]
    assert not missed, f"Tab never reaches {missed}; it stops at {keys}"
    unringed = [s["key"] for s in stops if not s["ring"]]
    assert not unringed, f"no visible focus ring on {unringed}"


def test_pair_page_works_by_keyboard(phone_for):
    person = UserFactory(display_name="Sam")
    page = phone_for(person, path="/pair/")

    # The first Tab offers the skip link, visibly; Enter moves to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    stops = tab_through(page)
    reached_everything(page, stops)

    # Show my code, with the keyboard only.
    page.get_by_role("button", name="Show my code").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("invite-code")).to_be_visible()
    reached_everything(page, tab_through(page))

    # A wrong code: typed, sent with Enter, the error announced and focused.
    field = page.get_by_label("Enter your partner's code", exact=True)
    field.focus()
    page.keyboard.type("WXYZ WXYZ WXYZ WXYZ")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert").first
    expect(alert).to_be_visible()
    expect(page.get_by_label("Enter your partner's code", exact=True)).to_have_attribute("aria-invalid", "true")
    # (activeElement, not to_be_focused: tabbing off the end of the page
    # left the browser window itself unfocused, as it would a real one.)
    assert page.evaluate("document.activeElement.id") == "id_code"


def test_checkin_step_works_by_keyboard(phone_for, alice, bob, couple):
    builtin_formats_sync(Format)
    checkin = checkins.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    page = phone_for(alice, path=f"/checkins/{checkin.pk}/")
    expect(page.get_by_test_id("progress")).to_have_text("Step 1 of 3")
    stops = tab_through(page)
    reached_everything(page, stops)

    # Tab to the moods, choose with the arrow keys, send with Enter.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("main").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type === 'radio'"):
            break
    else:
        raise AssertionError("Tab never reached the moods")
    page.keyboard.press("Space")
    first = page.evaluate("document.activeElement.value")
    page.keyboard.press("ArrowRight")
    chosen = page.evaluate("document.activeElement.value")
    assert chosen != first
    assert page.evaluate("document.querySelector('input[type=radio]:checked').value") == chosen
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("progress")).to_have_text("Step 2 of 3")

    # A text step: type, then Enter on Next (in a textarea Enter is a new line).
    box = page.get_by_role("textbox")
    box.focus()
    page.keyboard.type("The tea you made me")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Next")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("progress")).to_have_text("Step 3 of 3")
