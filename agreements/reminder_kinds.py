"""The agreements' reminder kind: a gentle, recurring nudge to both partners
to look at an agreement together when its review interval comes round.

The reminder's target is the accepted *version* (not the agreement), so
each acceptance starts its own series: a cancelled series of an earlier
version can never collide with a new one on the engine's unique
(user, kind, target, occurrence) key.
"""

import datetime as dt
import threading
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from reminders.kinds import Kind, register

from .periods import local_date, next_review_due

REVIEW_KIND = "agreement_review"

# The targets the last load() of this thread returned. The dispatcher loads a
# batch's targets, then asks next_due() about the same reminders (passing no
# target): reading them back here keeps a tick at a fixed number of queries.
_recent = threading.local()


def _load(ids: list[int]) -> dict[int, Any]:
    from .models import AgreementVersion, Reflection

    last_revealed = (
        Reflection.objects.filter(agreement_id=OuterRef("agreement_id"), revealed_at__isnull=False)
        .order_by("-period_end")
        .values("period_end")[:1]
    )
    versions = {
        v.pk: v
        for v in AgreementVersion.objects.filter(pk__in=ids)
        .select_related("agreement__couple")
        .only(
            "id",
            "number",
            "review_every_days",
            "agreement__id",
            "agreement__status",
            "agreement__version",
            "agreement__couple__timezone",
            "agreement__couple__ended_at",
        )
        .annotate(last_revealed_end=Subquery(last_revealed))
    }
    _recent.targets = versions
    return versions


def _in_force(version) -> bool:
    """The version is still the agreement's current, active wording, with a
    review interval, in a couple that still exists."""
    if version is None or not version.review_every_days:
        return False
    agreement = version.agreement
    return agreement.status == "active" and agreement.version == version.number and agreement.couple.ended_at is None


def _still_due(reminder, version, now: dt.datetime) -> bool:
    if not _in_force(version):
        return False
    # Both already reflected on the period that ends today: they have looked
    # at it together, so this review needs no nudge.
    review_day = local_date(reminder.due_at, version.agreement.couple.timezone)
    return version.last_revealed_end is None or version.last_revealed_end < review_day


def _next_due(reminder, version, now: dt.datetime) -> dt.datetime | None:
    if version is None:
        version = getattr(_recent, "targets", {}).get(reminder.target_id)
        if version is None:
            version = _load([reminder.target_id]).get(reminder.target_id)
    if not _in_force(version):
        return None  # retired, amended or gone: the series ends here
    return next_review_due(
        previous=reminder.due_at,
        every_days=version.review_every_days,
        tz_name=version.agreement.couple.timezone,
        now=now,
    )


def _url(version) -> str:
    return f"/agreements/{version.agreement_id}/"


register(
    Kind(
        key=REVIEW_KIND,
        title=_("An agreement is due for a look together"),
        label=_("When an agreement is due for a review"),
        load=_load,
        still_due=_still_due,
        url=_url,
        grace=dt.timedelta(hours=12),
        next_due=_next_due,
    )
)
