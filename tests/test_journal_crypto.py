"""Encryption at rest with a key per person: the database holds no
plaintext, the author reads their entries, and once their key is destroyed
nothing can read them again (cleanly: never a 500). The key store is safe
under concurrent first use, and a wrong KEK is loud, not silent.

These run on the file store (STEADY_KEYSTORE=files, development), whose
files they look at; tests/test_journal_keystore.py holds the same promises
for the database store, the default, and every other journal test uses it."""

import base64
import os
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from journal import checks, crypto, services
from journal.models import Entry, Share

from .conftest import client_for

pytestmark = pytest.mark.django_db

TEST_KEK = base64.urlsafe_b64encode(b"k" * 32).decode()
OTHER_KEK = base64.urlsafe_b64encode(b"o" * 32).decode()

SECRETS = {
    "text": "Sent three messages, nothing back. PLAINTEXT-MARKER-TEXT",
    "story": "PLAINTEXT-MARKER-STORY he is leaving",
    "need": "PLAINTEXT-MARKER-NEED to hear from him",
    "can_do": "PLAINTEXT-MARKER-CANDO call my sister",
}


@pytest.fixture(autouse=True)
def keystore(settings, tmp_path):
    settings.STEADY_KEYSTORE = "files"
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False
    return tmp_path / "keys"


@pytest.fixture
def secret_trigger(alice):
    return services.entry_create(
        author=alice,
        kind="trigger",
        trigger_category="no_reply",
        intensity_before=9,
        tags=["PLAINTEXT-MARKER-TAG"],
        **SECRETS,
    )


def raw_row(entry_id: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM journal_entry WHERE id = %s", [entry_id])
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


class TestAtRest:
    def test_the_database_holds_no_plaintext(self, secret_trigger):
        row = raw_row(secret_trigger.pk)

        dump = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row.values())
        assert b"PLAINTEXT-MARKER" not in dump
        assert b"Sent three messages" not in dump
        for column in ("text_sealed", "story_sealed", "need_sealed", "can_do_sealed", "tags_sealed"):
            sealed = bytes(row[column])
            assert sealed[:1] == b"\x01"
            assert b"MARKER" not in sealed
            assert base64.b64encode(b"PLAINTEXT-MARKER") not in sealed
        # Patterns still work from plain columns.
        assert (row["kind"], row["trigger_category"], row["intensity_before"]) == ("trigger", "no_reply", 9)

    def test_lengths_are_padded_to_blocks_of_64(self, alice):
        short = services.entry_create(author=alice, kind="entry", text="a")
        longer = services.entry_create(author=alice, kind="entry", text="a" * 40)
        sizes = {len(bytes(raw_row(e.pk)["text_sealed"])) for e in (short, longer)}

        assert sizes == {1 + 12 + 64 + 16}

    def test_nothing_of_the_text_in_the_key_store_either(self, secret_trigger, keystore):
        files = list(keystore.iterdir())
        assert [f.name for f in files if not f.name.startswith(".")] == [f"{secret_trigger.author_id}.key"]
        for f in files:
            if f.is_file():
                assert b"PLAINTEXT" not in f.read_bytes()
        assert oct(keystore.stat().st_mode)[-3:] == "700"
        assert oct((keystore / f"{secret_trigger.author_id}.key").stat().st_mode)[-3:] == "600"

    def test_the_author_reads_it_all(self, secret_trigger, alice):
        body = client_for(alice).get(f"/api/v1/journal/{secret_trigger.pk}/").json()

        assert body["readable"] is True
        assert {k: body[k] for k in SECRETS} == SECRETS
        assert body["tags"] == ["PLAINTEXT-MARKER-TAG"]

    def test_str_never_shows_the_text(self, secret_trigger):
        assert "MARKER" not in str(secret_trigger)
        assert "MARKER" not in repr(secret_trigger)

    def test_ciphertext_moved_to_another_person_or_column_does_not_open(self, secret_trigger, alice, bob):
        bobs = services.entry_create(author=bob, kind="entry", text="Bob's")
        # An attacker with database access copies Alice's sealed text into
        # Bob's row, and her story into her own text column.
        Entry.objects.filter(pk=bobs.pk).update(text_sealed=raw_row(secret_trigger.pk)["text_sealed"])
        Entry.objects.filter(pk=secret_trigger.pk).update(text_sealed=raw_row(secret_trigger.pk)["story_sealed"])

        assert client_for(bob).get(f"/api/v1/journal/{bobs.pk}/").json()["readable"] is False
        assert client_for(alice).get(f"/api/v1/journal/{secret_trigger.pk}/").json()["readable"] is False

    def test_a_key_file_renamed_to_another_person_does_not_unwrap(self, secret_trigger, alice, bob, keystore):
        os.link(keystore / f"{alice.pk}.key", keystore / f"{bob.pk}.key")

        with pytest.raises(crypto.KeyStoreError):
            crypto.cipher_for(bob.pk)


class TestDestroyingTheKey:
    def test_after_destroying_the_key_the_entries_read_as_unreadable(self, secret_trigger, alice, keystore):
        client = client_for(alice)

        assert services.journal_key_destroy(user=alice) is True

        assert not (keystore / f"{alice.pk}.key").exists()
        detail = client.get(f"/api/v1/journal/{secret_trigger.pk}/")
        assert detail.status_code == 200
        body = detail.json()
        assert body["readable"] is False
        assert all(body[k] is None for k in ("text", "story", "need", "can_do"))
        assert body["tags"] == []
        # The plain columns are still there (they are the author's patterns).
        assert (body["trigger_category"], body["intensity_before"]) == ("no_reply", 9)
        listed = client.get("/api/v1/journal/")
        assert listed.status_code == 200
        assert listed.json()["results"][0]["readable"] is False

    def test_backups_taken_before_are_unreadable_too(self, secret_trigger, alice):
        # A "backup": the row as it was, restored after the key is gone.
        backup = raw_row(secret_trigger.pk)
        services.journal_key_destroy(user=alice)
        Entry.objects.filter(pk=secret_trigger.pk).update(
            **{k: backup[k] for k in ("text_sealed", "story_sealed", "need_sealed", "can_do_sealed", "tags_sealed")}
        )

        cipher = crypto.cipher_for(alice.pk)
        with pytest.raises(crypto.Unreadable):
            cipher.open("text", backup["text_sealed"])

    def test_a_new_key_for_new_entries_never_opens_the_old_ones(self, secret_trigger, alice):
        services.journal_key_destroy(user=alice)
        fresh = services.entry_create(author=alice, kind="entry", text="A new start")

        bodies = {e["id"]: e for e in client_for(alice).get("/api/v1/journal/").json()["results"]}
        assert bodies[fresh.pk]["text"] == "A new start"
        assert bodies[secret_trigger.pk]["readable"] is False

    def test_unreadable_entries_cannot_be_changed_or_shared_only_deleted(self, couple, secret_trigger, alice):
        services.journal_key_destroy(user=alice)
        client = client_for(alice)
        url = f"/api/v1/journal/{secret_trigger.pk}/"

        assert client.patch(url, {"intensity_after": 2}, format="json").status_code == 409
        assert client.post(url + "share/").status_code == 409
        assert client.delete(url).status_code == 204

    def test_destroying_ends_shares_at_once(self, couple, secret_trigger, alice, bob):
        services.entry_share(entry=secret_trigger, author=alice)
        assert client_for(bob).get("/api/v1/journal/shared/").json()["count"] == 1

        services.journal_key_destroy(user=alice)

        assert not Share.objects.exists()
        assert client_for(bob).get("/api/v1/journal/shared/").json()["count"] == 0

    def test_destroying_twice_or_without_a_key_is_harmless(self, alice, bob):
        services.entry_create(author=alice, kind="entry", text="x")
        assert services.journal_key_destroy(user=alice) is True
        assert services.journal_key_destroy(user=alice) is False
        assert services.journal_key_destroy(user=bob) is False

    def test_the_partners_key_is_untouched(self, alice, bob):
        his = services.entry_create(author=bob, kind="entry", text="Bob's page")
        services.entry_create(author=alice, kind="entry", text="Alice's page")

        services.journal_key_destroy(user=alice)

        assert client_for(bob).get(f"/api/v1/journal/{his.pk}/").json()["text"] == "Bob's page"


class TestKeyStore:
    def test_concurrent_first_use_makes_one_key(self, alice, keystore):
        barrier = threading.Barrier(8)
        ciphers, errors = [], []

        def first_use():
            try:
                barrier.wait()
                ciphers.append(crypto.cipher_for(alice.pk, create=True))
            except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
                errors.append(exc)

        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

        assert errors == []
        sealed = ciphers[0].seal("text", "same key for all")
        assert {c.open("text", sealed) for c in ciphers} == {"same key for all"}
        assert sorted(p.name for p in keystore.iterdir() if not p.name.startswith(".")) == [f"{alice.pk}.key"]
        assert not [p for p in keystore.iterdir() if p.name.startswith(".tmp-")]

    def test_an_existing_key_is_never_replaced(self, alice, keystore):
        first = crypto.cipher_for(alice.pk, create=True)
        before = (keystore / f"{alice.pk}.key").read_bytes()
        second = crypto.cipher_for(alice.pk, create=True)

        assert (keystore / f"{alice.pk}.key").read_bytes() == before
        assert second.open("text", first.seal("text", "x")) == "x"

    def test_a_wrong_kek_is_loud_and_replaces_nothing(self, settings, secret_trigger, alice, keystore):
        before = (keystore / f"{alice.pk}.key").read_bytes()
        settings.STEADY_KEK = OTHER_KEK

        with pytest.raises(crypto.KeyStoreError, match="cannot be unwrapped"):
            crypto.cipher_for(alice.pk)
        with pytest.raises(crypto.KeyStoreError):
            services.entry_create(author=alice, kind="entry", text="new")
        assert (keystore / f"{alice.pk}.key").read_bytes() == before

    def test_a_damaged_key_file_is_loud(self, secret_trigger, alice, keystore):
        (keystore / f"{alice.pk}.key").write_bytes(b"garbage")
        with pytest.raises(crypto.KeyStoreError, match="damaged"):
            crypto.cipher_for(alice.pk)

    def test_rotating_the_kek(self, settings, secret_trigger, alice, keystore):
        settings.STEADY_KEK = f"{OTHER_KEK},{TEST_KEK}"  # the new one first, the old one still known

        call_command("journal_keys", "rewrap")

        settings.STEADY_KEK = OTHER_KEK  # the old one dropped
        body = client_for(alice).get(f"/api/v1/journal/{secret_trigger.pk}/").json()
        assert body["text"] == SECRETS["text"]
        assert crypto.rewrap_all() == (0, 1)

    def test_a_rewrap_never_brings_back_a_destroyed_key(self, settings, secret_trigger, alice, keystore):
        services.journal_key_destroy(user=alice)
        settings.STEADY_KEK = f"{OTHER_KEK},{TEST_KEK}"

        assert crypto.rewrap_all() == (0, 0)
        assert not (keystore / f"{alice.pk}.key").exists()

    def test_without_a_kek_production_refuses(self, settings, alice):
        settings.STEADY_KEK = ""
        settings.STEADY_KEK_DEV_FALLBACK = False

        with pytest.raises(crypto.KeyStoreError, match="STEADY_KEK is not set"):
            services.entry_create(author=alice, kind="entry", text="x")
        assert [e.id for e in checks.kek_configured()] == ["journal.E002"]

    def test_development_falls_back_to_a_generated_kek_in_the_store(self, settings, alice, keystore):
        settings.STEADY_KEK = ""
        settings.STEADY_KEK_DEV_FALLBACK = True

        entry = services.entry_create(author=alice, kind="entry", text="dev")

        assert (keystore / crypto.DEV_KEK_FILE).exists()
        assert client_for(alice).get(f"/api/v1/journal/{entry.pk}/").json()["text"] == "dev"
        assert checks.kek_configured() == []

    @pytest.mark.parametrize("bad", ["short", "not base64 at all!!", base64.urlsafe_b64encode(b"x" * 16).decode()])
    def test_a_malformed_kek_fails_the_system_check(self, settings, bad):
        settings.STEADY_KEK = bad
        assert [e.id for e in checks.kek_configured()] == ["journal.E001"]

    def test_the_default_key_store_is_under_var(self, settings):
        del settings.STEADY_KEYSTORE_DIR
        assert crypto.keystore_dir() == settings.VAR_DIR / "keys"

    def test_the_new_kek_command_prints_a_usable_key(self, capsys, settings, alice):
        call_command("journal_keys", "new-kek")
        settings.STEADY_KEK = capsys.readouterr().out.strip()

        assert checks.kek_configured() == []
        assert crypto.cipher_for(alice.pk, create=True).has_key
