"""Journal key store chores.

    python manage.py journal_keys new-kek   # print a fresh KEK for STEADY_KEK
    python manage.py journal_keys rewrap    # re-wrap every key with the first KEK
    python manage.py journal_keys status    # where the store is, how many keys

Rotating the KEK: put the new KEK in front of the old one
(``STEADY_KEK=new,old``), restart, run ``rewrap``, then drop the old one.
"""

import base64
import secrets

from django.core.management.base import BaseCommand, CommandError

from journal import crypto


class Command(BaseCommand):
    help = "Journal key store: make a KEK, re-wrap keys after a KEK rotation, or show the store's status."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["new-kek", "rewrap", "status"])

    def handle(self, *args, action: str, **options):
        if action == "new-kek":
            self.stdout.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            return
        if action == "status":
            folder = crypto.keystore_dir()
            count = len([p for p in folder.glob("*.key") if p.stem.isdigit()]) if folder.exists() else 0
            source = "STEADY_KEK" if crypto.configured_keks() else "development fallback (not for production)"
            self.stdout.write(f"key store: {folder}\nkeys: {count}\nKEK: {source}")
            return
        try:
            done, current = crypto.rewrap_all()
        except crypto.KeyStoreError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"re-wrapped {done} key(s); {current} already used the first KEK.")
