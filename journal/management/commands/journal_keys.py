"""Journal key store chores.

    python manage.py journal_keys new-kek        # print a fresh KEK for STEADY_KEK
    python manage.py journal_keys rewrap         # re-wrap every key with the first KEK
    python manage.py journal_keys status         # which store, how many keys
    python manage.py journal_keys import-files   # copy a file store's keys into the database

Rotating the KEK: put the new KEK in front of the old one
(``STEADY_KEK=new,old``), restart, run ``rewrap``, then drop the old one.

Moving from the file store to the database (once, before a second machine
serves the web app): keep the same STEADY_KEK, run ``import-files`` (the
folder is STEADY_KEYSTORE_DIR unless ``--dir`` names another), set
``STEADY_KEYSTORE=database`` (the default), restart; keep the folder until
the database's next backup holds the keys.
"""

import base64
import secrets
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from journal import crypto


class Command(BaseCommand):
    help = "Journal key store: make a KEK, re-wrap keys after a KEK rotation, show the store, or import key files."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["new-kek", "rewrap", "status", "import-files"])
        parser.add_argument("--dir", help="import-files: the key folder (default STEADY_KEYSTORE_DIR)")

    def handle(self, *args, action: str, dir: str | None = None, **options):
        if action == "new-kek":
            self.stdout.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            return
        try:
            if action == "status":
                store = crypto.keystore()
                source = "STEADY_KEK" if crypto.configured_keks() else "development fallback (not for production)"
                self.stdout.write(f"key store: {store.describe()}\nkeys: {store.count()}\nKEK: {source}")
                return
            if action == "import-files":
                folder = Path(dir) if dir else crypto.keystore_dir()
                if not folder.is_dir():
                    raise CommandError(f"No key folder at {folder}.")
                counts = crypto.import_files(folder)
                self.stdout.write(
                    f"imported {counts['imported']} key(s) from {folder}; {counts['same']} already there; "
                    f"{counts['conflict']} differ (the database's kept)."
                )
                return
            done, current = crypto.rewrap_all()
        except crypto.KeyStoreError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"re-wrapped {done} key(s); {current} already used the first KEK.")
