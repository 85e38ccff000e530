"""``/promises/``: a calm timeline of kept promises, the viewer's own open
ones with "Done" and "Move it later", the partner's open ones with their
time. Never a score, a percentage, a streak or a count of misses; a missed
promise is not on this page at all (the viewer's own are in the API and
the export). Every write goes through ``promises.services``."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import DomainError
from backend.localtime import local_to_utc
from couples.selectors import couple_get_for_member, couple_partner_of

from . import display, selectors, services

SHOWN = 30


@login_required
@require_http_methods(["GET"])
def index(request):
    user = request.user
    couple = couple_get_for_member(user=user)
    partner = couple_partner_of(couple=couple, user=user)
    partner_name = partner.display_name if partner is not None and partner.display_name else gettext("Your partner")
    tz = user.tzinfo
    now = timezone.now()
    upcoming = []
    for row in _upcoming(couple=couple, user=user, now=now):
        mine = row["p_made_by"] == user.pk
        together = row["p_made_by"] is None
        upcoming.append(
            {
                "id": row["p_id"],
                "mine": mine,
                "together": together,
                "who": gettext("You both") if together else gettext("You") if mine else partner_name,
                "what": display.OPEN_WORDS.get(row["p_kind"]) or gettext("a promise, by"),
                "due": display.when(row["p_due"], tz),
                "moved": row["p_seen"] == selectors.RENEGOTIATED,
                "due_date": row["p_due"].astimezone(tz).date().isoformat(),
                "due_time": f"{row['p_due'].astimezone(tz):%H:%M}",
                # Where the couple does it together: an agreement's review
                # on the agreement's page, a practice on the practices page.
                "review_of": row["p_source_id"] if row["p_kind"] == "agreement_review" else None,
            }
        )
    kept = [
        {
            "sentence": display.kept_sentence(row, viewer_id=user.pk, partner_name=partner_name),
            "when": display.when(row["p_closed_at"] or row["p_due"], tz),
            "moved": row["p_renegotiated_at"] is not None,
        }
        for row in selectors.kept_timeline(couple=couple, now=now, limit=SHOWN)
    ]
    return render(
        request,
        "promises/index.html",
        {"upcoming": upcoming, "kept": kept, "copy": display.COPY, "partner_name": partner_name},
    )


def _upcoming(*, couple, user, now) -> list[dict]:
    rows = []
    for state in (selectors.OPEN, selectors.RENEGOTIATED):
        rows += list(selectors.ledger(couple_ids=[couple.pk], viewer_id=user.pk, state=state, now=now)[:SHOWN])
    # The viewer's own first, then the couple's, then the partner's.
    order = {user.pk: 0, None: 1}
    return sorted(rows, key=lambda r: (order.get(r["p_made_by"], 2), r["p_due"]))


@login_required
@require_POST
def keep(request, promise_id: str):
    try:
        services.promise_keep(user=request.user, promise_id=promise_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Kept. Thank you for following through."))
    return redirect("promises")


@login_required
@require_POST
def renegotiate(request, promise_id: str):
    day, time = request.POST.get("due_date", ""), request.POST.get("due_time", "")
    try:
        try:
            due = local_to_utc(day=dt.date.fromisoformat(day), time=dt.time.fromisoformat(time), tz=request.user.tzinfo)
        except ValueError:
            raise DomainError(gettext("Choose a date and a time."), field="due_at") from None
        services.promise_renegotiate(user=request.user, promise_id=promise_id, due_at=due)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Moved. Saying so in time keeps trust."))
    return redirect("promises")
