"""The export of a person's data (GDPR art. 20): it gathers every feature,
so it lives at the top (home), where importing each feature goes downward."""

import datetime as dt

from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.models import User
from agreements.models import Agreement, AgreementVersion, Reflection
from backend.localtime import local_date
from checkins.models import Answer, CheckIn
from checkups.models import Answer as CheckupAnswer
from checkups.models import Cadence
from couples.models import Membership
from couples.selectors import former_membership_get
from daily.selectors import daily_export
from firstrun.selectors import first_run_export
from gratitude.models import Note
from journal.selectors import journal_export, journal_shared_export
from promises.selectors import promises_export
from reassurance.selectors import reassurance_export
from reminders.models import Notification, Preference
from repair.conversation_selectors import repairs_export
from repair.models import TimeoutDuring, TimeoutRulesVersion
from safety.selectors import safety_export
from space.models import SpacePeriod
from therapists.models import NextSession, PreSessionNote, SessionNote
from therapists.selectors import access_log_export, practices_export


def _iso(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _rows(queryset, fields: list[str]) -> list[dict]:
    return [{k: _iso(v) for k, v in row.items()} for row in queryset.values(*fields)]


def user_export(*, user: User) -> dict:
    """Everything the person wrote and everything shared with them, as
    machine-readable JSON (GDPR art. 20). Never the partner's private
    entries: only what the partner revealed, sent or shares with them."""
    couple_ids = list(Membership.objects.filter(user=user).values_list("couple_id", flat=True))
    revealed = CheckIn.objects.filter(couple_id__in=couple_ids, revealed_at__isnull=False).values_list("pk", flat=True)
    my_agreements = Agreement.objects.filter(couple_id__in=couple_ids)
    prefs = Preference.objects.filter(user=user).values("email", "push", "daily_cap", "lead_minutes", "kinds").first()
    return {
        "format": "steady-export/1",
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "timezone": user.timezone,
            "role": user.role,
            "quiet_hours_start": _iso(user.quiet_hours_start),
            "quiet_hours_end": _iso(user.quiet_hours_end),
            "date_joined": _iso(user.date_joined),
            "country": user.country,
            "language": user.language,
            # The app lock's setting (docs/applock.md); its PIN, even hashed, never.
            "app_lock_minutes": user.app_lock_minutes,
        },
        # When a couple ended is a day, never a time of day: for the one who
        # stays it is the moment the other left (issue #23).
        "couples": [
            {
                "couple_id": m.couple_id,
                "joined_at": _iso(m.joined_at),
                "left_on": _iso(local_date(instant=m.left_at, tz=user.timezone)) if m.left_at else None,
            }
            for m in Membership.objects.filter(user=user).order_by("joined_at", "id")
        ],
        "checkins": {
            "my_answers": _rows(
                Answer.objects.filter(author=user),
                [
                    "checkin_id",
                    "checkin__format__name",
                    "checkin__scheduled_for",
                    "values",
                    "submitted_at",
                    "skipped_at",
                    "skip_reason",
                ],
            ),
            # The partner's answers, only where they were revealed to me.
            "partner_answers_revealed_to_me": _rows(
                Answer.objects.filter(checkin_id__in=revealed, submitted_at__isnull=False)
                .exclude(author=user)
                .exclude(author__closure__isnull=False),
                ["checkin_id", "checkin__scheduled_for", "values"],
            ),
        },
        # The person's own promises (full outcomes) and the couple's kept
        # together (check-ins, reviews); never the partner's (promises.selectors).
        "promises": promises_export(user=user, couple_ids=couple_ids),
        "therapist_notes": {
            "my_presession_notes": _rows(
                PreSessionNote.objects.filter(author=user).order_by("created_at"),
                ["couple_id", "therapist_id", "text", "share_with_partner", "created_at"],
            ),
            "presession_notes_shared_with_me": _rows(
                PreSessionNote.objects.filter(couple_id__in=couple_ids, share_with_partner=True)
                .exclude(author=user)
                .order_by("created_at"),
                ["couple_id", "therapist_id", "author_id", "text", "created_at"],
            ),
            # A therapist's own session notes (private to them; never in a
            # couple's export).
            "my_session_notes": _rows(
                SessionNote.objects.filter(therapist=user).order_by("written_at"),
                ["couple_id", "text", "written_at"],
            ),
            # The session dates a therapist set.
            "my_session_dates": _rows(
                NextSession.objects.filter(therapist=user).order_by("at"), ["couple_id", "at", "created_at"]
            ),
        },
        "checkups": {
            # How often each of my couples' check-up comes (when set).
            "cadence": _rows(
                Cadence.objects.filter(couple_id__in=couple_ids).order_by("couple_id"),
                ["couple_id", "weeks", "updated_at"],
            ),
            # Every fill of mine, drafts included (they are mine), and the
            # partner's only for rounds revealed to us both.
            "my_answers": _rows(
                CheckupAnswer.objects.filter(author=user).order_by("round__couple_id", "round__number"),
                [
                    "round__couple_id",
                    "round__number",
                    "round__instrument__key",
                    "round__opens_at",
                    "round__revealed_at",
                    "values",
                    "score",
                    "submitted_at",
                ],
            ),
            "partner_answers_revealed_to_me": _rows(
                CheckupAnswer.objects.filter(
                    round__couple_id__in=couple_ids, round__revealed_at__isnull=False, submitted_at__isnull=False
                )
                .exclude(author=user)
                .order_by("round__couple_id", "round__number"),
                ["round__couple_id", "round__number", "round__instrument__key", "values", "score"],
            ),
        },
        "gratitude": {
            "sent": _rows(
                Note.objects.filter(author=user),
                ["id", "text", "created_at", "deliver_at", "acknowledged_at", "reaction"],
            ),
            "received": _rows(
                # A closed account's notes are out of sight while it waits
                # to be erased (and gone after); a restore brings them back.
                Note.objects.filter(recipient=user, deliver_at__lte=timezone.now()).exclude(
                    author__closure__isnull=False
                ),
                ["id", "text", "deliver_at", "acknowledged_at", "reaction"],
            ),
        },
        "space": _rows(
            # Both partners' periods: each was shown to the other as it happened.
            SpacePeriod.objects.filter(couple_id__in=couple_ids),
            ["id", "author_id", "kind", "started_at", "reconnect_by", "note", "status", "reconnected_at"],
        ),
        "timeouts": {
            # The couple's rules as agreed or proposed (the terms both saw),
            # with only this person's own "during" texts.
            "rules_versions": _rows(
                TimeoutRulesVersion.objects.filter(rules__couple_id__in=couple_ids).order_by("rules_id", "number"),
                [
                    "rules_id",
                    "number",
                    "signal",
                    "min_minutes",
                    "max_minutes",
                    "proposed_by_id",
                    "proposed_at",
                    "accepted_by_id",
                    "accepted_at",
                    "declined_by_id",
                    "decline_reason",
                ],
            ),
            "my_during": _rows(
                TimeoutDuring.objects.filter(author=user).order_by("version__rules_id", "version__number"),
                ["version__rules_id", "version__number", "text"],
            ),
            "my_timeouts": _rows(
                SpacePeriod.objects.filter(author=user, kind="timeout").order_by("started_at"),
                ["id", "started_at", "first_reconnect_by", "reconnect_by", "status", "reconnected_at"],
            ),
        },
        "repairs": repairs_export(user=user, couple_ids=couple_ids),
        "agreements": {
            "versions": _rows(
                AgreementVersion.objects.filter(agreement__in=my_agreements),
                [
                    "agreement_id",
                    "number",
                    "title",
                    "details",
                    "category",
                    "review_every_days",
                    "proposed_by_id",
                    "proposed_at",
                    "accepted_by_id",
                    "accepted_at",
                    "declined_by_id",
                    "decline_reason",
                ],
            ),
            "my_reflections": _rows(
                Reflection.objects.filter(author=user),
                ["agreement_id", "period_start", "period_end", "outcome", "note", "revealed_at"],
            ),
            "partner_reflections_revealed_to_me": _rows(
                Reflection.objects.filter(agreement__in=my_agreements, revealed_at__isnull=False).exclude(author=user),
                ["agreement_id", "period_start", "period_end", "outcome", "note"],
            ),
        },
        "daily_question": daily_export(user=user),
        "reassurance": reassurance_export(user=user),
        "first_run": first_run_export(user=user),
        "journal": journal_export(user=user),
        # Kept apart from the person's own entries: what the partner shares
        # with them now, readable as on the shared page; never the rest.
        "journal_shared_with_me": journal_shared_export(user=user),
        "notifications": _rows(
            Notification.objects.filter(user=user), ["kind", "title", "url", "created_at", "read_at"]
        ),
        "notification_preferences": prefs,
        # Part of each partner's own history: every couple they were in, for
        # their time in it, also after a split or the other's erasure.
        "therapist_access_log": access_log_export(user=user),
        # The same for everyone: the safety check's answers and the pause are
        # never in a file (docs/safety.md, "The export").
        "safety": safety_export(user=user),
        # The couple's practices (every couple the person was in), each
        # partner's own answer only.
        "therapist_practices": practices_export(user=user),
    }


HISTORY_SECTIONS = ("checkins", "notes", "agreements")
HISTORY_PAGE_SIZE = 20


def ended_couple_history(*, user: User, couple_id: int, section: str) -> dict:
    """What a former partner wrote in a couple that has ended, one section
    at a time, read-only: their own check-in answers, the notes they sent
    and received (the jar was theirs), the agreements' wording both saw and
    their own reflections. Never the other's answers or reflections, and
    nothing from a couple they were not in (``former_membership_get``: 404)."""
    membership = former_membership_get(user=user, couple_id=couple_id)
    if section == "notes":
        rows = (
            Note.objects.filter(couple_id=couple_id, deliver_at__lte=timezone.now())
            .filter(Q(author=user) | Q(recipient=user))
            # A closed account's notes are out of sight while it waits to
            # be erased (issue #23); a restore brings them back.
            .exclude(author__closure__isnull=False)
        )
        rows = rows.only("id", "author_id", "text", "created_at", "deliver_at").order_by("-deliver_at", "-id")
    elif section == "agreements":
        my_reflections = Prefetch(
            "reflections",
            queryset=Reflection.objects.filter(author=user).order_by("-period_start"),
            to_attr="my_reflections",
        )
        agreed = Prefetch(
            "versions",
            queryset=AgreementVersion.objects.filter(accepted_at__isnull=False).order_by("-number"),
            to_attr="agreed_versions",
        )
        rows = (
            Agreement.objects.filter(couple_id=couple_id)
            .filter(versions__accepted_at__isnull=False)
            .distinct()
            .prefetch_related(agreed, my_reflections)
            .order_by("-updated_at", "-id")
        )
    else:
        section = "checkins"
        rows = (
            Answer.objects.filter(author=user, checkin__couple_id=couple_id, submitted_at__isnull=False)
            .select_related("checkin", "checkin__format")
            .order_by("-checkin__scheduled_for", "-id")
        )
    return {"membership": membership, "section": section, "rows": rows}
