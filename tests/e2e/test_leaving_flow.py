"""Leaving with care (issue #23) on a phone: the leave page's two choices,
the pairing blocks in Settings, deleting an account (what Settings says
first, the closed page) and the restore page the emailed link opens."""

import re

from django.core import mail
from playwright.sync_api import expect

from accounts.models import AccountClosure, User
from couples.models import PairingBlock
from tests.factories import PASSWORD

from .helpers import no_horizontal_scroll


def test_leave_with_the_block_and_a_notice_then_lift_the_block(phone_for, shot, alice, bob, couple):
    page = phone_for(alice, path="/couple/leave/")
    expect(page.get_by_label("Don't let Bob pair with me again")).to_be_checked()
    notice = page.get_by_label("Let Bob know the couple has ended")
    expect(notice).not_to_be_checked()
    assert no_horizontal_scroll(page)
    shot(page, "leaving-01-leave-choices")

    notice.check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Leave the couple").click()
    expect(page).to_have_url(re.compile(r"/couple/ended/$"))
    assert PairingBlock.objects.filter(blocker=alice, blocked=bob).exists()

    page.goto("/settings/")
    page.get_by_test_id("settings-pairing-blocks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who can pair with you")
    assert no_horizontal_scroll(page)
    shot(page, "leaving-02-pairing-blocks")
    page.get_by_role("button", name="Let Bob pair with me again").click()
    expect(page.get_by_test_id("no-pairing-blocks")).to_be_visible()
    assert not PairingBlock.objects.exists()


def test_delete_closes_then_the_emailed_link_restores(phone_for, new_phone, shot, alice, bob, couple):
    page = phone_for(alice, path="/settings/delete/")
    expect(page.get_by_test_id("delete-window")).to_contain_text("erased 14 days after you confirm")
    expect(page.get_by_label("Erase everything now")).not_to_be_checked()
    assert no_horizontal_scroll(page)
    shot(page, "leaving-03-delete-says-first")

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(re.compile(r"/account-deleted/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is closed")
    shot(page, "leaving-04-closed")
    assert AccountClosure.objects.filter(user=alice).exists()

    (message,) = mail.outbox
    path = re.search(r"/account/restore/\S+/", message.body).group(0)
    other = new_phone()
    other.goto(path)
    expect(other.get_by_role("heading", level=1)).to_have_text("Restore your account")
    assert no_horizontal_scroll(other)
    shot(other, "leaving-05-restore")
    other.get_by_test_id("restore-account").click()
    expect(other).to_have_url(re.compile(r"/accounts/login/$"))
    assert User.objects.get(pk=alice.pk).is_active

    other.goto(path)
    expect(other.get_by_test_id("restore-refused")).to_be_visible()
    shot(other, "leaving-06-restore-used")
