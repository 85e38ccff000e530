"""System checks for the journal's key store (``manage.py check``, and
``check --deploy`` in CI): a KEK that cannot work must stop a deploy, not
surface later as an error when someone opens their journal."""

from django.conf import settings
from django.core import checks

from . import crypto


@checks.register(checks.Tags.security)
def kek_configured(app_configs=None, **kwargs):
    try:
        found = crypto.configured_keks()
    except crypto.KeyStoreError as exc:
        return [checks.Error(str(exc), id="journal.E001")]
    if not found and not getattr(settings, "STEADY_KEK_DEV_FALLBACK", True):
        return [
            checks.Error(
                "STEADY_KEK is not set: journal entries cannot be encrypted or read.",
                hint="Set STEADY_KEK to a url-safe base64 32-byte key (see docs/journal.md).",
                id="journal.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def keystore_shared(app_configs=None, **kwargs):
    """The file store is one machine's folder: a second web process on
    another machine would make a second key for the same person."""
    try:
        store = crypto.keystore()
    except crypto.KeyStoreError as exc:
        return [checks.Error(str(exc), id="journal.E003")]
    if store.name != "database":
        return [
            checks.Warning(
                "STEADY_KEYSTORE is 'files': journal keys live on one machine's disk.",
                hint="Use STEADY_KEYSTORE=database (the default); move existing keys with "
                "`python manage.py journal_keys import-files`.",
                id="journal.W001",
            )
        ]
    return []
