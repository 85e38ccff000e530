"""Journal writes: entries and trigger logs, sharing one entry with the
partner, and destroying a person's key.

Every rule is checked here (the API and the web forms only check shapes),
and every error names its field, in plain words: ``Invalid(errors={...})``.
Text is sealed with the author's own key before it reaches the database
(``journal.crypto``); nothing here ever logs or sends it anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.models import User
from backend.errors import Conflict, Forbidden, Invalid
from couples.selectors import couple_for_user, couple_partner_of

from . import crypto
from .models import INTENSITY_MAX, INTENSITY_MIN, MOOD_MAX, MOOD_MIN, Category, Entry, Kind, Share
from .selectors import entry_is_readable

TEXT_MAX = 10_000
FIELD_MAX = 2_000
TAGS_MAX = 10
TAG_MAX = 30

TRIGGER_ONLY = ("trigger_category", "intensity_before", "intensity_after", "story", "need", "can_do")
TEXT_FIELDS = {"text": TEXT_MAX, "story": FIELD_MAX, "need": FIELD_MAX, "can_do": FIELD_MAX}
EDITABLE = ("text", "mood", "tags", *TRIGGER_ONLY)

NOT_FOR_ENTRY = gettext_noop("Only a trigger log has this.")
UNREADABLE = gettext_noop("This entry can no longer be read, because its key was deleted. You can delete the entry.")


# --- checking -----------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_text(name: str, value: Any, errors: dict, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = [gettext("Enter text.")]
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in value:
        errors[name] = [gettext("This text contains a character that can't be saved.")]
        return ""
    limit = TEXT_FIELDS[name]
    if len(value) > limit:
        errors[name] = [
            ngettext(
                "Keep it to %(limit)s character or fewer (this has %(has)s).",
                "Keep it to %(limit)s characters or fewer (this has %(has)s).",
                limit,
            )
            % {"limit": f"{limit:,}", "has": f"{len(value):,}"}
        ]
    elif required and not value.strip():
        errors[name] = [gettext("Write a few words.") if name == "text" else gettext("This can't be empty.")]
    return value.strip()


def _check_int(name: str, value: Any, errors: dict, *, low: int, high: int, required: bool, missing: str) -> int | None:
    if value is None or value == "":
        if required:
            errors[name] = [missing]
        return None
    if not _is_int(value) or not low <= value <= high:
        errors[name] = [gettext("Choose a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
        return None
    return value


def _check_tags(value: Any, errors: dict) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        errors["tags"] = [gettext("Give tags as a list of short words.")]
        return []
    tags, seen = [], set()
    for raw in value:
        tag = " ".join(raw.split())
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > TAG_MAX:
            errors["tags"] = [gettext("Keep each tag to %(n)d characters or fewer.") % {"n": TAG_MAX}]
            return []
        seen.add(tag.casefold())
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        errors["tags"] = [gettext("Use %(n)d tags at most.") % {"n": TAGS_MAX}]
        return []
    return tags


def _check(kind: str, values: dict) -> dict:
    """Checks a whole entry (as it will be after the write) and returns the
    clean values; raises Invalid with every problem at once."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if kind not in Kind.values:
        raise Invalid(errors={"kind": [gettext("Choose entry or trigger.")]})
    trigger = kind == Kind.TRIGGER
    clean["text"] = _check_text("text", values.get("text"), errors, required=True)
    clean["mood"] = _check_int(
        "mood",
        values.get("mood"),
        errors,
        low=MOOD_MIN,
        high=MOOD_MAX,
        required=False,
        missing=gettext("Choose a mood."),
    )
    clean["tags"] = _check_tags(values.get("tags"), errors)
    if trigger:
        category = values.get("trigger_category")
        if category in (None, ""):
            errors["trigger_category"] = [gettext("Choose what kind of moment it was.")]
        elif category not in Category.values:
            errors["trigger_category"] = [
                gettext("Choose one of: %(values)s.") % {"values": ", ".join(Category.values)}
            ]
        clean["trigger_category"] = category or ""
        for name in ("intensity_before", "intensity_after"):
            clean[name] = _check_int(
                name,
                values.get(name),
                errors,
                low=INTENSITY_MIN,
                high=INTENSITY_MAX,
                required=name == "intensity_before",
                missing=gettext("Choose how strong it feels, from 0 to 10."),
            )
        for name in ("story", "need", "can_do"):
            clean[name] = _check_text(name, values.get(name), errors, required=False)
    else:
        for name in TRIGGER_ONLY:
            if values.get(name) not in (None, ""):
                errors[name] = [gettext(NOT_FOR_ENTRY)]
        clean.update(trigger_category="", intensity_before=None, intensity_after=None, story="", need="", can_do="")
    if errors:
        raise Invalid(errors=errors)
    return clean


def _seal(cipher: crypto.UserCipher, name: str, value: str | list[str]) -> bytes | None:
    if name == "tags":
        return cipher.seal("tags", json.dumps(value, ensure_ascii=False)) if value else None
    if name == "text":
        return cipher.seal("text", value)
    return cipher.seal(name, value) if value else None


def _ensure_partner_role(user: User) -> None:
    if user.role != User.Role.PARTNER:
        raise Forbidden(gettext("The journal is for partner accounts."))


def _ensure_author(entry: Entry, user: User) -> None:
    # Selectors already scope to the author; this guards direct callers.
    if entry.author_id != user.pk:
        raise Http404


# --- entries ---------------------------------------------------------------------------


def entry_create(
    *,
    author: User,
    kind: str,
    text: str,
    mood: int | None = None,
    tags: list[str] | None = None,
    trigger_category: str = "",
    intensity_before: int | None = None,
    intensity_after: int | None = None,
    story: str = "",
    need: str = "",
    can_do: str = "",
    now: dt.datetime | None = None,
) -> Entry:
    _ensure_partner_role(author)
    clean = _check(
        kind,
        {
            "text": text,
            "mood": mood,
            "tags": tags,
            "trigger_category": trigger_category,
            "intensity_before": intensity_before,
            "intensity_after": intensity_after,
            "story": story,
            "need": need,
            "can_do": can_do,
        },
    )
    now = now or timezone.now()
    cipher = crypto.cipher_for(author.pk, create=True)
    entry = Entry(
        author=author,
        kind=kind,
        created_at=now,
        updated_at=now,
        mood=clean["mood"],
        trigger_category=clean["trigger_category"],
        intensity_before=clean["intensity_before"],
        intensity_after=clean["intensity_after"],
        grounded_at=now if clean["intensity_after"] is not None else None,
    )
    for name in ("text", "story", "need", "can_do", "tags"):
        setattr(entry, f"{name}_sealed", _seal(cipher, name, clean[name]))
    entry.save()
    return entry


def entry_update(*, entry: Entry, author: User, changes: dict[str, Any], now: dt.datetime | None = None) -> Entry:
    """Changes some fields of one entry (a PATCH). ``kind`` cannot change.
    Setting ``intensity_after`` records when grounding was done."""
    _ensure_author(entry, author)
    errors = {}
    if "kind" in changes and changes["kind"] != entry.kind:
        errors["kind"] = [gettext("An entry's kind can't be changed. Write a new one instead.")]
    unknown = sorted(set(changes) - set(EDITABLE) - {"kind"})
    for name in unknown:
        errors[name] = [gettext("This can't be changed.")]
    if errors:
        raise Invalid(errors=errors)
    wanted = {k: v for k, v in changes.items() if k in EDITABLE}
    if not wanted:
        raise Invalid(gettext("Nothing to change."))
    now = now or timezone.now()
    with transaction.atomic():
        # The row lock serialises two tabs (or phones) changing the same
        # entry: each change is checked against the latest saved state, and
        # only the fields sent are written, so neither undoes the other.
        locked = Entry.objects.select_for_update().get(pk=entry.pk, author=author)
        cipher = crypto.cipher_for(author.pk)
        if not entry_is_readable(locked, cipher=cipher):
            raise Conflict(gettext(UNREADABLE))
        current = {
            "text": cipher.open("text", locked.text_sealed),
            "story": cipher.open("story", locked.story_sealed) or "",
            "need": cipher.open("need", locked.need_sealed) or "",
            "can_do": cipher.open("can_do", locked.can_do_sealed) or "",
            "tags": json.loads(cipher.open("tags", locked.tags_sealed) or "[]"),
            "mood": locked.mood,
            "trigger_category": locked.trigger_category,
            "intensity_before": locked.intensity_before,
            "intensity_after": locked.intensity_after,
        }
        clean = _check(locked.kind, {**current, **wanted})
        fields = ["updated_at"]
        for name in wanted:
            if name in ("text", "story", "need", "can_do", "tags"):
                setattr(locked, f"{name}_sealed", _seal(cipher, name, clean[name]))
                fields.append(f"{name}_sealed")
            else:
                setattr(locked, name, clean[name])
                fields.append(name)
        if "intensity_after" in wanted:
            locked.grounded_at = now if clean["intensity_after"] is not None else None
            fields.append("grounded_at")
        locked.updated_at = now
        locked.save(update_fields=fields)
    return locked


def entry_delete(*, entry: Entry, author: User) -> None:
    """Gone for good, shared copy included (the partner's access ends with it)."""
    _ensure_author(entry, author)
    Entry.objects.filter(pk=entry.pk, author=author).delete()


# --- sharing ------------------------------------------------------------------------------


def entry_share(*, entry: Entry, author: User, now: dt.datetime | None = None) -> Share:
    """Shares one entry with the author's current partner. Sharing again is
    harmless (the same share comes back)."""
    _ensure_author(entry, author)
    couple = couple_for_user(user=author)
    partner = couple_partner_of(couple=couple, user=author) if couple is not None else None
    if partner is None:
        raise Conflict(gettext("You're not paired right now, so there is no one to share with."))
    if not entry_is_readable(entry, cipher=crypto.cipher_for(author.pk)):
        raise Conflict(gettext(UNREADABLE))
    with transaction.atomic():
        # The entry's row lock serialises two taps on "share" (and a share
        # racing an un-share): the second tap waits, then finds the first
        # one's share and returns it, instead of replacing it.
        if Entry.objects.select_for_update().filter(pk=entry.pk, author=author).first() is None:
            raise Http404  # deleted by another tab meanwhile
        existing = Share.objects.filter(entry=entry).first()
        if existing is not None and existing.couple_id == couple.pk and existing.shared_with_id == partner.pk:
            return existing
        # A share left from an earlier couple (should the close hook not
        # have run) is replaced, never reused for someone else.
        Share.objects.filter(entry=entry).delete()
        return Share.objects.create(entry=entry, shared_with=partner, couple=couple, created_at=now or timezone.now())


def entry_unshare(*, entry: Entry, author: User) -> None:
    """Takes a shared entry back: the partner cannot read it from their very
    next request. Un-sharing what is not shared is harmless."""
    _ensure_author(entry, author)
    Share.objects.filter(entry=entry).delete()


def shares_end_for_couple(couple_id: int) -> int:
    """When a couple closes, what was shared within it stops being shared
    (``journal/couple_closed.py``). The selector already hides
    shares of a closed couple; this makes the author's page say so too."""
    deleted, _ = Share.objects.filter(couple_id=couple_id).delete()
    return deleted


# --- keys ----------------------------------------------------------------------------------


def journal_key_destroy(*, user: User) -> bool:
    """Crypto-shredding: deletes the person's journal key, so that every
    copy of their entries' text — in the database and in every backup of it
    — can never be read again. Their shares end first, so the partner loses
    access at once. The rows stay (as unreadable) until deleted; account
    deletion deletes them with the account. True if a key was destroyed."""
    Share.objects.filter(entry__author=user).delete()
    return crypto.key_destroy(user.pk)
