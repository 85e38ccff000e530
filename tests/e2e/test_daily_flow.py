"""Two phones (390x844): the daily question. Alice answers first and sees
only her own answer; Bob's phone shows no trace of it; Bob answers and both
see both answers; a revealed answer cannot change. Then the history, the
themes page with the opt-in reminder, and the home card. Screenshots in
test-artifacts/screenshots/daily-*.png; axe-core on every daily page."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from daily.models import DailyAnswer, DailyQuestion
from reminders.models import Reminder

from . import helpers
from .helpers import no_horizontal_scroll, small_targets

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => `${v.id}: ${v.help} at ${v.nodes.map(n => n.target).join(", ")}`);
}"""


def fits(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def axe_clean(page: Page, label: str) -> None:
    if not AXE.exists():  # pragma: no cover - npm ci installs it; the a11y suite says so loudly
        pytest.skip("axe-core is not installed (npm ci)")
    assert page.evaluate(RUN_AXE) == [], label


def phone(phone_for, user, path="/daily/"):
    page = phone_for(user, path=path)
    if AXE.exists():
        page.add_init_script(AXE.read_text())
        page.reload()
    return page


def test_both_answer_and_see_both_answers(phone_for, alice, bob, couple, shot):
    a = phone(phone_for, alice)
    b = phone(phone_for, bob)
    question = DailyQuestion.objects.get(couple=couple)
    expect(a.get_by_test_id("daily-question")).to_have_text(question.text)
    expect(b.get_by_test_id("daily-question")).to_have_text(question.text)
    fits(a, "today")
    axe_clean(a, "today")
    shot(a, "daily-01-today")

    # Alice answers; she sees her own answer and a calm line, nothing else.
    a.get_by_label("Your answer").fill("The way you hummed while making breakfast.")
    a.get_by_test_id("daily-save").click()
    expect(a.get_by_role("status").first).to_contain_text("once you've both answered")
    expect(a.get_by_test_id("daily-mine")).to_contain_text("hummed")
    expect(a.get_by_test_id("daily-revealed")).to_have_count(0)
    fits(a, "waiting")
    axe_clean(a, "waiting")
    shot(a, "daily-02-waiting")

    # Bob's phone: no trace of Alice's answer, not even that there is one.
    b.reload()
    expect(b.get_by_text("hummed")).to_have_count(0)
    expect(b.get_by_test_id("daily-form")).to_be_visible()
    b.get_by_label("Your answer").fill("You laughed at my terrible pun on Tuesday.")
    b.get_by_test_id("daily-save").click()
    expect(b.get_by_test_id("daily-revealed")).to_be_visible()
    expect(b.get_by_test_id("daily-partner-answer")).to_contain_text("hummed")
    fits(b, "revealed")
    axe_clean(b, "revealed")
    shot(b, "daily-03-revealed-bob")

    a.reload()
    expect(a.get_by_test_id("daily-partner-answer")).to_contain_text("terrible pun")
    # Final: no form, no way to change it.
    expect(a.get_by_test_id("daily-form")).to_have_count(0)
    expect(a.get_by_role("link", name="Change my answer")).to_have_count(0)
    shot(a, "daily-04-revealed-alice")
    assert DailyAnswer.objects.count() == 2

    # The history (today is not in it yet) and the themes page.
    a.get_by_role("link", name="Past questions").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Past questions")
    fits(a, "history")
    axe_clean(a, "history")
    shot(a, "daily-05-history")

    a.goto("/daily/themes/")
    a.get_by_label("Fun").check()
    a.get_by_label("A daily reminder").select_option("20:00")
    fits(a, "themes")
    axe_clean(a, "themes")
    shot(a, "daily-06-themes")
    a.get_by_test_id("daily-themes-save").click()
    expect(a.get_by_role("status").first).to_contain_text("Saved.")
    expect(a.get_by_label("Fun")).to_be_checked()
    assert Reminder.objects.filter(user=alice, kind="daily_question", status="pending").exists()

    # The home card: the question, and "see both answers".
    a.goto("/")
    card = a.get_by_test_id("daily-card")
    expect(card).to_contain_text(question.text)
    expect(card.get_by_role("link", name="See both answers")).to_be_visible()
    shot(a, "daily-07-home-card")
