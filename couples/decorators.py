"""``couple_required``: the one gate in front of every couple page.

A person who is not in a couple (never paired, or the couple has ended)
is sent to the pairing page with one line saying why, instead of a 404.
Pages only: the API keeps its 404s (docs/API.md). A therapist, who is never
in a couple, goes through to the view, which answers as it always has.
"""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_noop

from .selectors import couple_known, had_couple, member_couple_and_partners

# English here (tests compare with them); gettext() where they are shown.
COUPLE_ENDED = gettext_noop("That page belonged to your couple, which has ended.")
NOT_PAIRED = gettext_noop("That page is for the two of you, so it opens once you're paired.")


def couple_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or user.is_therapist:
            return view(request, *args, **kwargs)
        couple, partners = member_couple_and_partners(user=user)
        if couple is None:
            if had_couple(user=user):
                # A former member (an old notification, a bookmark): the calm
                # "the couple has ended" page, not the pairing page.
                messages.info(request, gettext(COUPLE_ENDED))
                return redirect("couple-ended")
            messages.info(request, gettext(NOT_PAIRED))
            return redirect("pair")
        if request.method not in ("GET", "HEAD"):
            # A write looks its couple up afresh (couple_known is for reads).
            return view(request, *args, **kwargs)
        # A read: the view's own couple look-ups answer from this one query.
        with couple_known(user=user, couple=couple, partners=partners):
            return view(request, *args, **kwargs)

    wrapper.couple_required = True
    return wrapper
