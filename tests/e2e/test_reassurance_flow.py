"""Two phones (390x844): the reassurance ritual and "I steadied myself".
Alice proposes a time, Bob agrees; both see when the next one is, with
grounding and the journal. At the ritual's time Bob sees Alice's own
phrases as a help for writing; Alice's message stays hidden from Bob until
he writes; then both read both. Alice notes how she steadied herself,
shares the month, Bob acknowledges. Screenshots in
test-artifacts/screenshots/reassurance-*.png, each looked at."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from reassurance import services
from reassurance.models import Occurrence, Ritual

from .test_daily_flow import axe_clean, fits, phone


def test_ritual_reveal_and_steadied(phone_for, alice, bob, couple, shot, settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    a = phone(phone_for, alice, path="/reassurance/")
    b = phone(phone_for, bob, path="/reassurance/")
    fits(a, "ritual empty")
    axe_clean(a, "ritual empty")
    shot(a, "reassurance-01-propose")

    a.get_by_label("Mon", exact=True).check()
    a.get_by_label("Thu", exact=True).check()
    a.get_by_label("Time", exact=True).select_option("20:30")
    a.get_by_test_id("reassurance-propose").click()
    expect(a.get_by_test_id("reassurance-proposal")).to_contain_text("Mondays and Thursdays at 20:30")

    b.reload()
    b.get_by_test_id("reassurance-accept").click()
    expect(b.get_by_test_id("reassurance-next-at")).to_be_visible()
    expect(b.get_by_text("Breathe for two minutes")).to_be_visible()
    fits(b, "ritual agreed")
    axe_clean(b, "ritual agreed")
    shot(b, "reassurance-02-next-bob")

    # Alice's own phrases.
    a.goto(a.url.split("/reassurance/")[0] + "/reassurance/phrases/")
    a.get_by_label("Words you find reassuring to hear").fill("I'm not going anywhere.")
    a.get_by_role("button", name="Add").click()
    expect(a.get_by_test_id("phrase-list")).to_contain_text("")
    fits(a, "phrases")
    axe_clean(a, "phrases")
    shot(a, "reassurance-03-phrases")

    # The ritual's time comes: the tick makes it.
    ritual = Ritual.objects.get()
    at = timezone.now() - dt.timedelta(minutes=1)
    Ritual.objects.filter(pk=ritual.pk).update(next_at=at)
    services.occurrences_tick()
    occurrence = Occurrence.objects.get()
    base = a.url.split("/reassurance/")[0]

    a.goto(f"{base}/")
    expect(a.get_by_test_id("reassurance-card")).to_contain_text("It's your reassurance time")
    fits(a, "home")
    shot(a, "reassurance-04-home-card")
    a.get_by_test_id("home-reassurance-write").click()
    a.get_by_label("Your message").fill("Dinner with you last night was my favourite part of the week.")
    a.get_by_test_id("reassurance-send").click()
    expect(a.get_by_test_id("reassurance-mine")).to_contain_text("favourite part")
    shot(a, "reassurance-05-waiting-alice")

    b.goto(f"{base}/reassurance/{occurrence.pk}/")
    expect(b.get_by_text("favourite part")).to_have_count(0)
    expect(b.get_by_test_id("partner-phrases")).to_contain_text("I'm not going anywhere.")
    fits(b, "write")
    axe_clean(b, "write")
    shot(b, "reassurance-06-write-bob")
    b.get_by_label("Your message").fill("I'm not going anywhere. I loved hearing about your day.")
    b.get_by_test_id("reassurance-send").click()
    expect(b.get_by_test_id("reassurance-partner")).to_contain_text("favourite part")
    fits(b, "revealed")
    axe_clean(b, "revealed")
    shot(b, "reassurance-07-revealed-bob")

    # I steadied myself.
    a.goto(f"{base}/steadied/")
    a.get_by_label("What I did", exact=True).fill("Walked round the block and named five things I could see")
    a.get_by_label("A lot", exact=True).check()
    a.get_by_test_id("steadied-save").click()
    expect(a.get_by_test_id("steadied-ways")).to_contain_text("Walked round the block")
    a.get_by_test_id("digest-share").click()
    expect(a.get_by_test_id("digest-mine")).to_contain_text("Walked round the block")
    fits(a, "steadied")
    axe_clean(a, "steadied")
    shot(a, "reassurance-08-steadied-alice")

    b.goto(f"{base}/steadied/")
    expect(b.get_by_test_id("digest-shared")).to_contain_text("Walked round the block")
    b.get_by_test_id("digest-ack").click()
    expect(b.get_by_test_id("digest-shared")).to_contain_text("You've read it")
    shot(b, "reassurance-09-digest-bob")

    a.goto(f"{base}/journal/patterns/")
    expect(a.get_by_test_id("patterns-steadied")).to_contain_text("Walked round the block")
    fits(a, "patterns")
    shot(a, "reassurance-10-patterns")
