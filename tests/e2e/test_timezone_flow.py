"""Issue #20, item 7 on a 390×844 phone: the timezone comes from the phone
on sign-up, and Settings offers the phone's when it differs; the picker is
searchable."""

from playwright.sync_api import expect


def test_sign_up_picks_the_phones_timezone(new_phone, shot):
    page = new_phone(timezone_id="America/Sao_Paulo")
    page.goto("/accounts/signup/")
    field = page.get_by_label("Your timezone")
    expect(field).to_have_value("America/Sao_Paulo")
    expect(field).to_have_attribute("list", "timezone-options")
    shot(page, "tz-01-signup-detected")


def test_settings_offer_the_phones_timezone_and_search(phone_for, alice, shot):
    # Alice's account says Berlin; her phone is in Tokyo after a trip.
    page = phone_for(alice, path="/settings/", timezone_id="Asia/Tokyo")
    field = page.get_by_label("Your timezone")
    expect(field).to_have_value("Europe/Berlin")  # never changed behind her back
    note = page.locator("[data-device-timezone-note]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Asia/Tokyo")
    shot(page, "tz-02-settings-offer")
    note.get_by_role("button", name="Use that instead").click()
    expect(field).to_have_value("Asia/Tokyo")
    expect(note).to_be_hidden()
    page.get_by_role("button", name="Save changes").click()
    alice.refresh_from_db()
    assert alice.timezone == "Asia/Tokyo"

    # A typed name that is not a timezone is refused by the server.
    page.goto("/settings/")
    page.get_by_label("Your timezone").fill("Atlantis")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Choose a timezone from the list")).to_be_visible()
    shot(page, "tz-03-settings-refused")


def test_the_schedule_form_offers_the_phones_timezone(phone_for, alice, bob, couple, shot):
    # The couple's zone is Berlin; Alice proposes from a phone set to Tokyo.
    from checkins.models import Schedule

    page = phone_for(alice, path="/checkins/schedules/", timezone_id="Asia/Tokyo")
    field = page.get_by_label("In which timezone")
    expect(field).to_have_value("Europe/Berlin")
    expect(field).to_have_attribute("list", "timezone-options")
    note = page.locator("[data-device-timezone-note]")
    expect(note).to_contain_text("Asia/Tokyo")
    shot(page, "tz-04-schedule-offer")
    note.get_by_role("button", name="Use that instead").click()
    expect(field).to_have_value("Asia/Tokyo")
    page.get_by_role("checkbox", name="Tuesday").check()
    page.locator("form:has([name=timezone]) button[type=submit]").first.click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert Schedule.objects.get(couple=couple).timezone == "Asia/Tokyo"
