"""Steady's own relationship check-up: six items written for Steady (not
taken from the ECR, CSI, DAS or any other published measure), 0-6, about two
minutes. It is data like any other instrument; this module only makes sure
the built-in one exists (a flushed test database, a fresh install).

Its words are stored in English and read in the reader's language:
the page, the progress selector and the API pass them through gettext
(gettext_noop marks them here)."""

from django.utils.translation import gettext_noop

BUILTIN_KEY = "steady-checkup"

BUILTIN = {
    "key": BUILTIN_KEY,
    "name": gettext_noop("Relationship check-up"),
    "source": gettext_noop("Written for Steady; free to use within Steady."),
    "scale_min": 0,
    "scale_max": 6,
    "anchors": {"0": gettext_noop("Not at all"), "3": gettext_noop("Somewhat"), "6": gettext_noop("Completely")},
    "drop_flag": 6,
    "items": [
        {
            "key": "closeness",
            "text": gettext_noop("These past two weeks, I felt close to my partner."),
            "reverse": False,
        },
        {"key": "trust", "text": gettext_noop("I trust my partner with what matters to me."), "reverse": False},
        {
            "key": "conflict",
            "text": gettext_noop("Our disagreements left me hurt or stuck for a long time."),
            "reverse": True,
        },
        {
            "key": "heard",
            "text": gettext_noop("When I spoke about something important, I felt heard."),
            "reverse": False,
        },
        {
            "key": "reliability",
            "text": gettext_noop("I could count on my partner to do what they said."),
            "reverse": False,
        },
        {
            "key": "steadiness",
            "text": gettext_noop("When something between us worried me, I could steady myself."),
            "reverse": False,
        },
    ],
}


def instrument_builtin():
    from .models import Instrument

    instrument, _ = Instrument.objects.get_or_create(
        key=BUILTIN_KEY, defaults={k: v for k, v in BUILTIN.items() if k != "key"}
    )
    return instrument
