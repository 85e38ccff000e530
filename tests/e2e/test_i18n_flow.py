"""Issue #26 in a real browser: the JavaScript catalog (/jsi18n/) gives
static/js its words in the person's own language, and Arabic pages run
right to left."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _set_language(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_the_breathing_timer_speaks_the_persons_language(phone_for, alice):
    _set_language(alice, "es")
    a = phone_for(alice, path="/journal/breathe/")
    expect(a.locator("html")).to_have_attribute("lang", "es")
    a.get_by_test_id("breather-start").click()
    expect(a.locator("[data-phase]")).to_contain_text("Inhala")
    expect(a.get_by_test_id("breather-time")).to_have_text(re.compile(r"^Quedan 1:5\d$"))
    a.get_by_test_id("breather-stop").click()


def test_arabic_runs_right_to_left_with_its_own_words(phone_for, alice):
    _set_language(alice, "ar")
    a = phone_for(alice, path="/journal/breathe/")
    expect(a.locator("html")).to_have_attribute("dir", "rtl")
    a.get_by_test_id("breather-start").click()
    expect(a.locator("[data-phase]")).to_contain_text("شهيق")
