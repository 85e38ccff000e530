"""Issue #20's edges on a 390×844 phone: an unpaired person on a couple
page is sent to the pairing page with one line saying why."""

import re

from playwright.sync_api import expect

from couples.decorators import NOT_PAIRED
from tests.factories import UserFactory

from .helpers import no_horizontal_scroll


def test_an_unpaired_person_on_couple_pages_lands_on_pairing_with_a_reason(phone_for, shot):
    mallory = UserFactory(display_name="Mallory")
    page = phone_for(mallory)
    for path in ("/checkins/", "/gratitude/", "/space/", "/agreements/", "/timeout/", "/journal/shared/"):
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/pair/$"))
        expect(page.get_by_text(NOT_PAIRED)).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_have_text("Pair with your partner")
    assert no_horizontal_scroll(page)
    shot(page, "edges-02-unpaired-on-checkins")
