"""Sentence starters for a note of appreciation, written by us.

Specific, small and recent beats grand and general: a partner believes
"I noticed you..." more easily than "you're the best". None of them asks
for anything back. Stored here in English (gettext_noop); the page and the
API show them in the reader's language (``shown``)."""

from django.utils.translation import gettext, gettext_noop

PROMPTS: tuple[str, ...] = (
    gettext_noop("Something you did this week that I noticed…"),
    gettext_noop("I felt cared for when you…"),
    gettext_noop("Thank you for the small thing you did today:"),
    gettext_noop("I'm grateful that you…"),
    gettext_noop("Something I admire about the way you…"),
    gettext_noop("I loved it when we…"),
    gettext_noop("You made my day easier when you…"),
    gettext_noop("Something about you I don't say often enough:"),
)


def shown() -> list[str]:
    """The prompts in the active language."""
    return [gettext(prompt) for prompt in PROMPTS]
