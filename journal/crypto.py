"""Encryption at rest for journal text, with a key per person.

Why this shape (docs/journal.md has the long version):

- Every person has their own 256-bit data key. Journal text is sealed with
  it (AES-256-GCM) before it reaches the database, so a database dump or
  backup holds only ciphertext.
- Data keys are stored only *wrapped* (encrypted) with a key-encryption
  key, the KEK, that comes from the environment (``settings.STEADY_KEK``)
  and is never stored by Steady. Where the wrapped keys live is the key
  store, ``settings.STEADY_KEYSTORE``:
  ``database`` (the default) is the table ``journal_journalkey``, one row
  per person, which every web process on every machine reaches;
  ``files`` is a folder (``settings.STEADY_KEYSTORE_DIR``) with one file per
  person, for development on one machine only. A stolen key store without
  the KEK reveals nothing.
- Deleting a person's wrapped key ("crypto-shredding") makes their entries
  unreadable at once. With the database store, backups taken before hold
  the wrapped key next to the ciphertext until they expire, protected only
  by the KEK: docs/journal.md ("Backups") states that trade-off and the
  retention.

This is encryption at rest, not end-to-end encryption: the server can
decrypt, which is what lets a person read their journal on any device and
share one entry with their partner.

Formats (all versioned by a leading byte so they can change later):

- KEK: one or more url-safe base64 32-byte keys, comma separated
  (``Fernet.generate_key()`` makes one). The first wraps new keys; all are
  tried for unwrapping, so a KEK can be rotated (``journal_keys rewrap``).
- a wrapped key (a row's ``wrapped``, or a key file ``<user_id>.key``): ``b"SJK1" | kek_id(8) | nonce(12) | AESGCM(kek).encrypt(data_key, aad)``
  with ``aad = b"steady/journal/key/v1/user:<id>"``, so a wrapped key copied
  to another person's row or file does not unwrap.
- sealed field: ``b"\\x01" | nonce(12) | AESGCM(data_key).encrypt(padded, aad)``
  with ``aad = b"steady/journal/v1/user:<id>/field:<name>"``, so ciphertext
  moved to another person or another column does not open. Plaintext is
  padded to a multiple of 64 bytes so that lengths leak less.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import logging
import os
import secrets
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

KEY_MAGIC = b"SJK1"
SEAL_VERSION = b"\x01"
NONCE_BYTES = 12
KEK_ID_BYTES = 8
PAD_BLOCK = 64
# The shortest sealed value: version, nonce and the 16-byte tag.
_SEALED_MIN = 1 + NONCE_BYTES + 16
DEV_KEK_FILE = "dev-only.kek"


class KeyStoreError(ImproperlyConfigured):
    """The key store or the KEK is misconfigured (wrong KEK, unreadable
    folder, damaged key file). Never shown as "unreadable": a configuration
    mistake must be loud, and no key is ever replaced because of it."""


class Unreadable(Exception):
    """This ciphertext cannot be opened: the person's key was destroyed (or
    replaced after being destroyed)."""


# --- settings ---------------------------------------------------------------------


def keystore_dir() -> Path:
    configured = getattr(settings, "STEADY_KEYSTORE_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keys"


def _ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _parse_kek(raw: str, *, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        raise KeyStoreError(
            f"{source} must be url-safe base64 of 32 bytes; `python manage.py journal_keys new-kek` makes one."
        )
    return key


def configured_keks() -> list[bytes]:
    """The KEKs from settings (``STEADY_KEK``, comma separated, the first
    wraps). Empty when none is configured."""
    raw = getattr(settings, "STEADY_KEK", None)
    if raw is None:
        raw = os.environ.get("STEADY_KEK", "")
    return [_parse_kek(part, source="STEADY_KEK") for part in str(raw).split(",") if part.strip()]


def _dev_kek() -> bytes:
    """Development only: a KEK generated into the key store on first use.
    Production settings turn this off (``STEADY_KEK_DEV_FALLBACK = False``)
    and require ``STEADY_KEK``: a KEK stored beside the keys it wraps
    protects nothing."""
    path = keystore_dir() / DEV_KEK_FILE
    try:
        # Read first: making (and fsyncing) a candidate file on every read
        # of a journal was most of a journal page without STEADY_KEK.
        return _parse_kek(path.read_text(), source=str(path))
    except FileNotFoundError:
        pass
    _ensure_dir(path.parent)
    _write_once(path, base64.urlsafe_b64encode(secrets.token_bytes(32)))
    return _parse_kek(path.read_text(), source=str(path))


def keks() -> list[bytes]:
    found = configured_keks()
    if found:
        return found
    if not getattr(settings, "STEADY_KEK_DEV_FALLBACK", True):
        raise KeyStoreError("STEADY_KEK is not set. The journal cannot encrypt or decrypt without it.")
    return [_dev_kek()]


def kek_id(kek: bytes) -> bytes:
    return hashlib.sha256(b"steady/kek-id/v1" + kek).digest()[:KEK_ID_BYTES]


# --- wrapping ------------------------------------------------------------------------


def _key_aad(user_id: int) -> bytes:
    return f"steady/journal/key/v1/user:{int(user_id)}".encode()


def wrap_key(*, user_id: int, data_key: bytes, kek: bytes | None = None) -> bytes:
    kek = kek or keks()[0]
    nonce = secrets.token_bytes(NONCE_BYTES)
    return KEY_MAGIC + kek_id(kek) + nonce + AESGCM(kek).encrypt(nonce, data_key, _key_aad(user_id))


def wrapped_kek_id(blob: bytes) -> bytes:
    return bytes(blob[len(KEY_MAGIC) : len(KEY_MAGIC) + KEK_ID_BYTES])


def unwrap_key(*, user_id: int, blob: bytes) -> bytes:
    blob = bytes(blob)
    head = len(KEY_MAGIC)
    if blob[:head] != KEY_MAGIC or len(blob) < head + KEK_ID_BYTES + NONCE_BYTES + 16:
        raise KeyStoreError(f"The journal key of user {user_id} is damaged.")
    wanted = blob[head : head + KEK_ID_BYTES]
    nonce = blob[head + KEK_ID_BYTES : head + KEK_ID_BYTES + NONCE_BYTES]
    sealed = blob[head + KEK_ID_BYTES + NONCE_BYTES :]
    for kek in keks():
        if kek_id(kek) != wanted:
            continue
        try:
            return AESGCM(kek).decrypt(nonce, sealed, _key_aad(user_id))
        except InvalidTag:
            break
    raise KeyStoreError(
        f"The journal key of user {user_id} cannot be unwrapped with any configured STEADY_KEK "
        "(was the KEK changed without keeping the old one after it?)."
    )


# --- key stores ----------------------------------------------------------------------
#
# A store keeps wrapped keys only; wrapping and unwrapping happen here, above
# it. Both stores promise the same four things: the first key written for a
# person wins and is never replaced, a destroyed key is gone, and a re-wrap
# can never bring one back.


class DatabaseKeyStore:
    """Wrapped keys in PostgreSQL (the table ``journal_journalkey``): every
    web process on every machine reads what another wrote."""

    name = "database"

    def describe(self) -> str:
        return "database (table journal_journalkey)"

    def get(self, user_id: int) -> bytes | None:
        from .models import JournalKey

        blob = JournalKey.objects.filter(user_id=user_id).values_list("wrapped", flat=True).first()
        return None if blob is None else bytes(blob)

    def add(self, user_id: int, blob: bytes) -> bool:
        """Inserts unless a key exists (INSERT … ON CONFLICT DO NOTHING, on
        the primary key): two first writes at once make one key, and the
        loser then reads the winner's. True if this call inserted it."""
        from .models import JournalKey

        JournalKey.objects.bulk_create([JournalKey(user_id=user_id, wrapped=blob)], ignore_conflicts=True)
        return self.get(user_id) == blob

    def delete(self, user_id: int) -> bool:
        from .models import JournalKey

        deleted, _ = JournalKey.objects.filter(user_id=user_id).delete()
        return bool(deleted)

    def exists(self, user_id: int) -> bool:
        from .models import JournalKey

        return JournalKey.objects.filter(user_id=user_id).exists()

    def count(self) -> int:
        from .models import JournalKey

        return JournalKey.objects.count()

    def rewrap(self, target: bytes) -> tuple[int, int]:
        """Row locks (FOR UPDATE) keep a destroy waiting until this commits;
        a row destroyed before is not there to be written back."""
        from django.db import transaction

        from .models import JournalKey

        done = current = 0
        with transaction.atomic():
            rows = list(JournalKey.objects.select_for_update().order_by("user_id"))
            changed = []
            for row in rows:
                if wrapped_kek_id(row.wrapped) == kek_id(target):
                    current += 1
                    continue
                data_key = unwrap_key(user_id=row.user_id, blob=bytes(row.wrapped))
                row.wrapped = wrap_key(user_id=row.user_id, data_key=data_key, kek=target)
                changed.append(row)
            JournalKey.objects.bulk_update(changed, ["wrapped"], batch_size=500)
            done = len(changed)
        return done, current


class FileKeyStore:
    """Wrapped keys in a folder, one file per person: development on one
    machine only (a second machine would make its own keys)."""

    name = "files"

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder is not None else keystore_dir()

    def describe(self) -> str:
        return f"files in {self.folder}"

    def path(self, user_id: int) -> Path:
        return self.folder / f"{int(user_id)}.key"

    def get(self, user_id: int) -> bytes | None:
        path = self.path(user_id)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeyStoreError(f"The journal key store at {path.parent} cannot be read: {exc}") from exc

    def add(self, user_id: int, blob: bytes) -> bool:
        path = self.path(user_id)
        try:
            _ensure_dir(path.parent)
            # Whoever links first wins; everyone then reads the winner's key.
            return _write_once(path, blob)
        except OSError as exc:
            raise KeyStoreError(f"The journal key store at {path.parent} cannot be written: {exc}") from exc

    def delete(self, user_id: int) -> bool:
        path = self.path(user_id)
        with _store_lock(self.folder):
            try:
                path.unlink()
            except FileNotFoundError:
                return False
            _fsync_dir(path.parent)
        return True

    def exists(self, user_id: int) -> bool:
        return self.path(user_id).exists()

    def user_ids(self) -> list[int]:
        if not self.folder.exists():
            return []
        return sorted(int(p.stem) for p in self.folder.glob("*.key") if p.stem.isdigit())

    def count(self) -> int:
        return len(self.user_ids())

    def rewrap(self, target: bytes) -> tuple[int, int]:
        """Each file is replaced atomically (``os.replace``), under the
        store's lock so that a destroy cannot interleave."""
        done = current = 0
        if not self.folder.exists():
            return 0, 0
        with _store_lock(self.folder) as folder:
            for user_id in self.user_ids():
                path = self.path(user_id)
                blob = path.read_bytes()
                if wrapped_kek_id(blob) == kek_id(target):
                    current += 1
                    continue
                data_key = unwrap_key(user_id=user_id, blob=blob)
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".key")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(wrap_key(user_id=user_id, data_key=data_key, kek=target))
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
                done += 1
            _fsync_dir(folder)
        return done, current


STORES = {"database": DatabaseKeyStore, "files": FileKeyStore}


def keystore() -> DatabaseKeyStore | FileKeyStore:
    """The configured store (``STEADY_KEYSTORE``, default ``database``)."""
    name = getattr(settings, "STEADY_KEYSTORE", "database") or "database"
    try:
        return STORES[name]()
    except KeyError:
        raise KeyStoreError(f"STEADY_KEYSTORE must be one of {', '.join(sorted(STORES))}, not {name!r}.") from None


# --- files (the file store's, and the development KEK's) ------------------------------


def _write_once(path: Path, data: bytes) -> bool:
    """Creates ``path`` holding ``data`` unless it exists; True if this call
    created it. Atomic under concurrent first use: the bytes go to a private
    temporary file first, then ``os.link`` publishes it under the final name,
    which fails if another process or thread got there first. Nobody ever
    sees a half-written key file, and a key is never overwritten."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".key")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        _fsync_dir(path.parent)
        return True
    finally:
        os.unlink(tmp)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _store_lock(folder: Path):
    """Serialises destroying and re-wrapping key files, so that a re-wrap
    can never write back a key that was destroyed while it ran."""
    folder = _ensure_dir(folder)
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def key_path(user_id: int) -> Path:
    """The file store's file for this person."""
    return FileKeyStore().path(user_id)


def _load_data_key(user_id: int, *, create: bool) -> bytes | None:
    store = keystore()
    blob = store.get(user_id)
    if blob is None:
        if not create:
            return None
        store.add(user_id, wrap_key(user_id=user_id, data_key=AESGCM.generate_key(bit_length=256)))
        blob = store.get(user_id)
        if blob is None:  # destroyed between the two: nothing to seal with
            raise KeyStoreError(f"The journal key of user {user_id} vanished as it was made.")
    return unwrap_key(user_id=user_id, blob=blob)


def key_destroy(user_id: int) -> bool:
    """Deletes the person's wrapped key; True if there was one. Their sealed
    text can never be opened again, wherever a copy of it is (backups of the
    key store aside, until they expire: docs/journal.md)."""
    destroyed = keystore().delete(user_id)
    if destroyed:
        logger.info("journal key destroyed for user %s", user_id)
    return destroyed


def key_exists(user_id: int) -> bool:
    return keystore().exists(user_id)


# --- sealing --------------------------------------------------------------------------


def _pad(data: bytes) -> bytes:
    # ISO/IEC 7816-4 padding: 0x80 then zeros up to the block size.
    data += b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise Unreadable("bad padding")
    return end[:-1]


class UserCipher:
    """Seals and opens one person's journal fields. Obtain with
    :func:`cipher_for`; keep it for one request at most, so that a destroyed
    key stops working everywhere at once."""

    def __init__(self, user_id: int, data_key: bytes | None):
        self.user_id = int(user_id)
        self._aead = AESGCM(data_key) if data_key is not None else None
        self._aads: dict[str, bytes] = {}

    @property
    def has_key(self) -> bool:
        return self._aead is not None

    def _aad(self, field: str) -> bytes:
        # Built once per field and cipher: a page opens five fields of fifty entries.
        aad = self._aads.get(field)
        if aad is None:
            aad = self._aads[field] = f"steady/journal/v1/user:{self.user_id}/field:{field}".encode()
        return aad

    def seal(self, field: str, plaintext: str) -> bytes:
        if self._aead is None:
            raise KeyStoreError("No journal key to seal with.")
        nonce = secrets.token_bytes(NONCE_BYTES)
        return SEAL_VERSION + nonce + self._aead.encrypt(nonce, _pad(plaintext.encode()), self._aad(field))

    def open(self, field: str, blob: bytes | memoryview | None) -> str | None:
        """The plaintext, or None for an empty (NULL) field. Raises
        :class:`Unreadable` if the key that sealed it is gone."""
        return self.open_all((field,), (blob,))[0]

    def open_all(self, fields: Sequence[str], blobs: Sequence[bytes | memoryview | None]) -> list[str | None]:
        """``open`` of each field's blob, in one pass: a journal list page
        opens some 130 fields, and the per-call work around AES-GCM was
        most of its cost (bench/api.py, issue #16). Raises
        :class:`Unreadable` as ``open`` does, for the first that fails."""
        aead = self._aead
        aad = self._aad
        opened: list[str | None] = []
        for field, blob in zip(fields, blobs, strict=True):
            if blob is None:
                opened.append(None)
                continue
            if aead is None:
                raise Unreadable("no key")
            if type(blob) is not bytes:
                blob = bytes(blob)
            if blob[:1] != SEAL_VERSION or len(blob) < _SEALED_MIN:
                raise Unreadable("unknown format")
            try:
                padded = aead.decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], aad(field))
            except InvalidTag:
                raise Unreadable("sealed with another key") from None
            opened.append(_unpad(padded).decode())
        return opened


def cipher_for(user_id: int, *, create: bool = False) -> UserCipher:
    """The person's cipher. With ``create``, makes their key on first use
    (for writes); without, a person with no key gets a cipher that opens
    nothing (their old entries read as unreadable)."""
    return UserCipher(user_id, _load_data_key(user_id, create=create))


def rewrap_all() -> tuple[int, int]:
    """Re-wraps every key in the configured store with the first configured
    KEK (after adding a new KEK in front of the old one). Returns
    (rewrapped, already current)."""
    return keystore().rewrap(keks()[0])


def import_files(folder: Path) -> dict[str, int]:
    """Copies the wrapped keys of a file store into the database store
    (``journal_keys import-files``), once, when moving to several machines.
    Each key must unwrap with a configured KEK before it is copied (a wrong
    KEK stops the import loudly); a person who already has a database key
    keeps it (never replaced); the files are left as they are."""
    source = FileKeyStore(folder)
    target = DatabaseKeyStore()
    counts = {"imported": 0, "same": 0, "conflict": 0}
    for user_id in source.user_ids():
        blob = source.get(user_id)
        unwrap_key(user_id=user_id, blob=blob)
        existing = target.get(user_id)
        if existing is None and target.add(user_id, blob):
            counts["imported"] += 1
            continue
        existing = target.get(user_id)
        if existing is not None and unwrap_key(user_id=user_id, blob=existing) == unwrap_key(
            user_id=user_id, blob=blob
        ):
            counts["same"] += 1
        else:
            counts["conflict"] += 1
            logger.warning(
                "journal key of user %s differs between the files and the database: kept the database's", user_id
            )
    return counts
