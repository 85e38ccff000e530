"""The journal's key store in the database (STEADY_KEYSTORE=database, the
default, issue #24): every process on every machine reads the keys another
wrote, first use makes one key however many processes race, destroying a
key is final, a KEK rotation re-wraps the rows, and a file store's keys move
in once with `journal_keys import-files` (never replacing a key)."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from journal import checks, crypto, selectors, services
from journal.models import Entry, JournalKey

from .concurrency import race
from .factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
TEST_KEK = base64.urlsafe_b64encode(b"k" * 32).decode()
OTHER_KEK = base64.urlsafe_b64encode(b"o" * 32).decode()


@pytest.fixture(autouse=True)
def keys_dir(settings, tmp_path):
    settings.STEADY_KEYSTORE = "database"
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False
    return tmp_path / "keys"


def _read(entry_id: int) -> str:
    return selectors.entries_unseal([Entry.objects.get(pk=entry_id)])[0].plain.text


# What a second web process on another machine runs: the same database and
# KEK, a key folder of its own (empty), nothing shared but PostgreSQL.
CHILD = r"""
import json, sys
import django
django.setup()
from accounts.models import User
from journal import selectors, services
from journal.models import Entry
read_id, writer_id = int(sys.argv[1]), int(sys.argv[2])
text = selectors.entries_unseal([Entry.objects.get(pk=read_id)])[0].plain.text
mine = services.entry_create(author=User.objects.get(pk=writer_id), kind="entry", text="written by the second process")
print(json.dumps({"read": text, "wrote": mine.pk}))
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_process_reads_what_the_first_wrote_and_back(tmp_path, keys_dir):
    alice, bob = UserFactory(), UserFactory()
    entry = services.entry_create(author=alice, kind="entry", text="written by the first process")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "STEADY_KEK": TEST_KEK,
        "STEADY_KEYSTORE": "database",
        "STEADY_VAR_DIR": str(tmp_path / "other-machine"),
        "STEADY_KEYSTORE_DIR": str(tmp_path / "other-machine" / "keys"),
        "DB_POOL_MAX_SIZE": "2",
        "DB_POOL_MIN_SIZE": "1",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CHILD, str(entry.pk), str(bob.pk)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])

    # The second process opened Alice's entry with the key the first made...
    assert answer["read"] == "written by the first process"
    # ...and the first opens what the second wrote with the key it made.
    assert _read(answer["wrote"]) == "written by the second process"
    assert set(JournalKey.objects.values_list("user_id", flat=True)) == {alice.pk, bob.pk}
    # No key touched either process's disk.
    for folder in (keys_dir, tmp_path / "other-machine" / "keys"):
        assert not folder.exists() or not [p for p in folder.iterdir() if p.suffix == ".key"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_first_writes_at_once_make_one_key_row():
    alice = UserFactory()

    results = race([lambda i=i: services.entry_create(author=alice, kind="entry", text=f"page {i}") for i in range(6)])

    assert [kind for kind, _ in results] == ["ok"] * 6
    assert JournalKey.objects.filter(user_id=alice.pk).count() == 1
    texts = sorted(e.plain.text for e in selectors.entries_unseal(Entry.objects.filter(author=alice)))
    assert texts == [f"page {i}" for i in range(6)]


@pytest.mark.django_db
class TestRows:
    def test_a_row_holds_the_key_wrapped_never_plain(self, alice):
        services.entry_create(author=alice, kind="entry", text="PLAINTEXT-MARKER")
        wrapped = bytes(JournalKey.objects.get(user_id=alice.pk).wrapped)

        data_key = crypto.unwrap_key(user_id=alice.pk, blob=wrapped)
        assert wrapped[:4] == crypto.KEY_MAGIC
        assert data_key not in wrapped
        assert b"PLAINTEXT" not in wrapped

    def test_an_existing_key_is_never_replaced(self, alice):
        first = crypto.cipher_for(alice.pk, create=True)
        before = bytes(JournalKey.objects.get(user_id=alice.pk).wrapped)
        second = crypto.cipher_for(alice.pk, create=True)

        assert bytes(JournalKey.objects.get(user_id=alice.pk).wrapped) == before
        assert second.open("text", first.seal("text", "x")) == "x"

    def test_a_row_copied_to_another_person_does_not_unwrap(self, alice, bob):
        services.entry_create(author=alice, kind="entry", text="hers")
        JournalKey.objects.create(user_id=bob.pk, wrapped=JournalKey.objects.get(user_id=alice.pk).wrapped)

        with pytest.raises(crypto.KeyStoreError, match="cannot be unwrapped"):
            crypto.cipher_for(bob.pk)

    def test_destroying_deletes_the_row_and_the_text_reads_as_unreadable(self, alice, bob):
        entry = services.entry_create(author=alice, kind="entry", text="gone")
        services.entry_create(author=bob, kind="entry", text="his")

        assert services.journal_key_destroy(user=alice) is True

        assert not JournalKey.objects.filter(user_id=alice.pk).exists()
        assert JournalKey.objects.filter(user_id=bob.pk).exists()
        assert selectors.entries_unseal([Entry.objects.get(pk=entry.pk)])[0].plain.readable is False
        assert services.journal_key_destroy(user=alice) is False

    def test_a_wrong_kek_is_loud_and_replaces_nothing(self, settings, alice):
        services.entry_create(author=alice, kind="entry", text="x")
        before = bytes(JournalKey.objects.get(user_id=alice.pk).wrapped)
        settings.STEADY_KEK = OTHER_KEK

        with pytest.raises(crypto.KeyStoreError, match="cannot be unwrapped"):
            services.entry_create(author=alice, kind="entry", text="new")
        assert bytes(JournalKey.objects.get(user_id=alice.pk).wrapped) == before

    def test_rotating_the_kek_rewraps_the_rows(self, settings, alice, bob):
        entry = services.entry_create(author=alice, kind="entry", text="kept")
        services.entry_create(author=bob, kind="entry", text="his")
        settings.STEADY_KEK = f"{OTHER_KEK},{TEST_KEK}"

        call_command("journal_keys", "rewrap")

        settings.STEADY_KEK = OTHER_KEK
        assert _read(entry.pk) == "kept"
        assert crypto.rewrap_all() == (0, 2)

    def test_a_rewrap_never_brings_back_a_destroyed_key(self, settings, alice):
        services.entry_create(author=alice, kind="entry", text="x")
        services.journal_key_destroy(user=alice)
        settings.STEADY_KEK = f"{OTHER_KEK},{TEST_KEK}"

        assert crypto.rewrap_all() == (0, 0)
        assert not JournalKey.objects.exists()

    def test_status_names_the_store(self, capsys, alice):
        services.entry_create(author=alice, kind="entry", text="x")
        call_command("journal_keys", "status")
        out = capsys.readouterr().out
        assert "database" in out and "keys: 1" in out

    def test_the_deploy_check_warns_about_the_file_store(self, settings):
        assert checks.keystore_shared() == []
        settings.STEADY_KEYSTORE = "files"
        assert [e.id for e in checks.keystore_shared()] == ["journal.W001"]
        settings.STEADY_KEYSTORE = "nonsense"
        assert [e.id for e in checks.keystore_shared()] == ["journal.E003"]

    def test_the_default_store_is_the_database(self):
        assert crypto.keystore().name == "database"
        assert settings.STEADY_KEYSTORE == "database"


@pytest.mark.django_db
class TestImportFiles:
    def _file_keys(self, settings, *users):
        settings.STEADY_KEYSTORE = "files"
        entries = [services.entry_create(author=u, kind="entry", text=f"from a file {u.pk}") for u in users]
        settings.STEADY_KEYSTORE = "database"
        return entries

    def test_file_keys_move_into_the_database_and_open_the_old_entries(self, settings, capsys, alice, bob):
        entries = self._file_keys(settings, alice, bob)
        assert not JournalKey.objects.exists()
        assert selectors.entries_unseal([entries[0]])[0].plain.readable is False  # not imported yet

        call_command("journal_keys", "import-files")

        assert "imported 2 key(s)" in capsys.readouterr().out
        assert [_read(e.pk) for e in entries] == [f"from a file {alice.pk}", f"from a file {bob.pk}"]
        # Again: nothing changes.
        call_command("journal_keys", "import-files")
        out = capsys.readouterr().out
        assert "imported 0 key(s)" in out and "2 already there" in out

    def test_a_database_key_is_never_replaced_by_a_file(self, settings, capsys, alice):
        (old,) = self._file_keys(settings, alice)
        newer = services.entry_create(author=alice, kind="entry", text="made in the database")
        before = bytes(JournalKey.objects.get(user_id=alice.pk).wrapped)

        call_command("journal_keys", "import-files")

        assert "1 differ" in capsys.readouterr().out
        assert bytes(JournalKey.objects.get(user_id=alice.pk).wrapped) == before
        assert _read(newer.pk) == "made in the database"
        assert selectors.entries_unseal([Entry.objects.get(pk=old.pk)])[0].plain.readable is False

    def test_a_wrong_kek_stops_the_import_loudly(self, settings, alice):
        self._file_keys(settings, alice)
        settings.STEADY_KEK = OTHER_KEK

        with pytest.raises(CommandError, match="cannot be unwrapped"):
            call_command("journal_keys", "import-files")
        assert not JournalKey.objects.exists()

    def test_a_missing_folder_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="No key folder"):
            call_command("journal_keys", "import-files", "--dir", str(tmp_path / "nowhere"))
