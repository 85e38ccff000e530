"""Encryption at rest for journal text, with a key per person.

Why this shape (docs/journal.md has the long version):

- Every person has their own 256-bit data key. Journal text is sealed with
  it (AES-256-GCM) before it reaches the database, so a database dump or
  backup holds only ciphertext.
- Data keys are *not* in the database. They live in a key store: a folder
  (``settings.STEADY_KEYSTORE_DIR``, default ``<VAR_DIR>/keys``) with one
  small file per person. Each file holds the data key wrapped (encrypted)
  with a key-encryption key, the KEK, that comes from the environment
  (``settings.STEADY_KEK``). A stolen key store without the KEK, or a stolen
  database without the key store, reveals nothing.
- Deleting a person's key file ("crypto-shredding") makes their entries
  unreadable everywhere at once, database backups included, without having
  to find and rewrite every backup.

This is encryption at rest, not end-to-end encryption: the server can
decrypt, which is what lets a person read their journal on any device and
share one entry with their partner.

Formats (all versioned by a leading byte so they can change later):

- KEK: one or more url-safe base64 32-byte keys, comma separated
  (``Fernet.generate_key()`` makes one). The first wraps new keys; all are
  tried for unwrapping, so a KEK can be rotated (``journal_keys rewrap``).
- key file ``<user_id>.key``: ``b"SJK1" | kek_id(8) | nonce(12) | AESGCM(kek).encrypt(data_key, aad)``
  with ``aad = b"steady/journal/key/v1/user:<id>"``, so a key file copied
  to another person's name does not unwrap.
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


# --- key files ----------------------------------------------------------------------


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
def _store_lock():
    """Serialises destroying and re-wrapping keys, so that a re-wrap can
    never write back a key that was destroyed while it ran."""
    folder = _ensure_dir(keystore_dir())
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def key_path(user_id: int) -> Path:
    return keystore_dir() / f"{int(user_id)}.key"


def _key_aad(user_id: int) -> bytes:
    return f"steady/journal/key/v1/user:{int(user_id)}".encode()


def wrap_key(*, user_id: int, data_key: bytes, kek: bytes | None = None) -> bytes:
    kek = kek or keks()[0]
    nonce = secrets.token_bytes(NONCE_BYTES)
    return KEY_MAGIC + kek_id(kek) + nonce + AESGCM(kek).encrypt(nonce, data_key, _key_aad(user_id))


def unwrap_key(*, user_id: int, blob: bytes) -> bytes:
    head = len(KEY_MAGIC)
    if blob[:head] != KEY_MAGIC or len(blob) < head + KEK_ID_BYTES + NONCE_BYTES + 16:
        raise KeyStoreError(f"The journal key file of user {user_id} is damaged.")
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


def _load_data_key(user_id: int, *, create: bool) -> bytes | None:
    path = key_path(user_id)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        try:
            _ensure_dir(path.parent)
            # Whoever links first wins; everyone then reads the winner's key.
            _write_once(path, wrap_key(user_id=user_id, data_key=AESGCM.generate_key(bit_length=256)))
            blob = path.read_bytes()
        except OSError as exc:
            raise KeyStoreError(f"The journal key store at {path.parent} cannot be written: {exc}") from exc
    except OSError as exc:
        raise KeyStoreError(f"The journal key store at {path.parent} cannot be read: {exc}") from exc
    return unwrap_key(user_id=user_id, blob=blob)


def key_destroy(user_id: int) -> bool:
    """Deletes the person's key file; True if there was one. Their sealed
    text can never be opened again, wherever a copy of it is."""
    path = key_path(user_id)
    with _store_lock():
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
    logger.info("journal key destroyed for user %s", user_id)
    return True


def key_exists(user_id: int) -> bool:
    return key_path(user_id).exists()


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

    @property
    def has_key(self) -> bool:
        return self._aead is not None

    def _aad(self, field: str) -> bytes:
        return f"steady/journal/v1/user:{self.user_id}/field:{field}".encode()

    def seal(self, field: str, plaintext: str) -> bytes:
        if self._aead is None:
            raise KeyStoreError("No journal key to seal with.")
        nonce = secrets.token_bytes(NONCE_BYTES)
        return SEAL_VERSION + nonce + self._aead.encrypt(nonce, _pad(plaintext.encode()), self._aad(field))

    def open(self, field: str, blob: bytes | memoryview | None) -> str | None:
        """The plaintext, or None for an empty (NULL) field. Raises
        :class:`Unreadable` if the key that sealed it is gone."""
        if blob is None:
            return None
        blob = bytes(blob)
        if self._aead is None:
            raise Unreadable("no key")
        if blob[:1] != SEAL_VERSION or len(blob) < 1 + NONCE_BYTES + 16:
            raise Unreadable("unknown format")
        try:
            padded = self._aead.decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], self._aad(field))
        except InvalidTag:
            raise Unreadable("sealed with another key") from None
        return _unpad(padded).decode()


def cipher_for(user_id: int, *, create: bool = False) -> UserCipher:
    """The person's cipher. With ``create``, makes their key on first use
    (for writes); without, a person with no key gets a cipher that opens
    nothing (their old entries read as unreadable)."""
    return UserCipher(user_id, _load_data_key(user_id, create=create))


def rewrap_all() -> tuple[int, int]:
    """Re-wraps every key file with the first configured KEK (after adding a
    new KEK in front of the old one). Returns (rewrapped, already current).
    Each file is replaced atomically (``os.replace``)."""
    target = keks()[0]
    done = current = 0
    if not keystore_dir().exists():
        return 0, 0
    with _store_lock() as folder:
        for path in sorted(folder.glob("*.key")):
            if not path.stem.isdigit():
                continue
            user_id = int(path.stem)
            blob = path.read_bytes()
            if blob[len(KEY_MAGIC) : len(KEY_MAGIC) + KEK_ID_BYTES] == kek_id(target):
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
