"""Journal writes at the same instant, against a real PostgreSQL: two taps
on "share" make one share; two phones editing one entry both land; first
use of the key store from many requests at once makes one key."""

import base64

import pytest

from journal import crypto, selectors, services
from journal.models import Entry, Share

from .concurrency import race
from .factories import UserFactory, make_couple

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEST_KEK = base64.urlsafe_b64encode(b"k" * 32).decode()


@pytest.fixture(autouse=True)
def _keystore(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False


def test_two_taps_on_share_make_one_share():
    alice, bob = UserFactory(), UserFactory()
    make_couple(alice, bob)
    entry = services.entry_create(author=alice, kind="entry", text="one page")

    results = race([lambda: services.entry_share(entry=entry, author=alice) for _ in range(4)])

    assert [kind for kind, _ in results] == ["ok"] * 4
    assert Share.objects.count() == 1
    assert {share.pk for _, share in results} == {Share.objects.get().pk}
    assert list(selectors.entries_shared_with(user=bob)) == [entry]


def test_two_phones_editing_one_entry_both_land():
    alice = UserFactory()
    entry = services.entry_create(
        author=alice, kind="trigger", text="what happened", trigger_category="no_reply", intensity_before=8
    )

    results = race(
        [
            lambda: services.entry_update(entry=entry, author=alice, changes={"story": "a story from the phone"}),
            lambda: services.entry_update(entry=entry, author=alice, changes={"intensity_after": 3}),
            lambda: services.entry_update(entry=entry, author=alice, changes={"need": "a need from the laptop"}),
        ]
    )

    assert [kind for kind, _ in results] == ["ok"] * 3
    fresh = selectors.entries_unseal([Entry.objects.get()])[0]
    assert (fresh.plain.text, fresh.plain.story, fresh.plain.need) == (
        "what happened",
        "a story from the phone",
        "a need from the laptop",
    )
    assert (fresh.intensity_before, fresh.intensity_after) == (8, 3)
    assert fresh.grounded_at is not None


def test_many_first_writes_at_once_share_one_key():
    alice = UserFactory()

    results = race([lambda i=i: services.entry_create(author=alice, kind="entry", text=f"page {i}") for i in range(6)])

    assert [kind for kind, _ in results] == ["ok"] * 6
    texts = sorted(e.plain.text for e in selectors.entries_unseal(Entry.objects.filter(author=alice)))
    assert texts == [f"page {i}" for i in range(6)]
    assert crypto.key_exists(alice.pk)
