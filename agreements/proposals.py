"""A versioned proposal, the one shape of "both partners agree the same
version": agreements, time-out rules, and whatever is agreed next (the
reassurance ritual). One partner proposes a version, the other accepts or
declines that same number; a version read before a change is stale (409).

What is shared lives here: the record of a version's proposal, acceptance
and decline, the stale-version check, and the reason a person may give."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext, ngettext

from backend.errors import Conflict, Invalid

REASON_MAX = 500


class ProposalVersion(models.Model):
    """Who proposed one version, and who accepted or declined it. A
    concrete version adds its terms, its ``number`` and its parent."""

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=dj_timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        abstract = True


def version_check(current: int, version: int | None, *, stale: str) -> None:
    """A 409 when the caller read another version than the current one;
    ``None`` means they did not say which (the web forms, which lock)."""
    if version is not None and version != current:
        raise Conflict(stale, errors={"detail": stale, "current_version": current})


def reason_clean(reason: Any, field: str = "reason") -> str:
    """The optional reason for a decline or a retirement: text, trimmed,
    at most REASON_MAX characters."""
    if reason is None:
        return ""
    if not isinstance(reason, str):
        raise Invalid(gettext("Write the reason as text."), field=field)
    reason = reason.replace("\r\n", "\n").strip()
    if len(reason) > REASON_MAX:
        raise Invalid(
            ngettext("Keep it under %(n)d character.", "Keep it under %(n)d characters.", REASON_MAX)
            % {"n": REASON_MAX},
            field=field,
        )
    return reason
