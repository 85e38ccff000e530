"""Safety-planning guidance, in our own words (issue #23). Shown on the
help page and returned by the API, the same for everyone. Plain advice, no
diagnosis (PRODUCT.md: not a clinic). Lazy: each read is in the reader's
language (the API's JSON renderer and templates resolve it)."""

from django.utils.translation import gettext_lazy as _

GUIDANCE: list[dict[str, str]] = [
    {
        "title": _("If you are in danger now"),
        "text": _(
            "Call the emergency number at the top of this page. If you cannot talk, many services let you stay on "
            "the line silently or send a text."
        ),
    },
    {
        "title": _("Someone you can tell"),
        "text": _(
            "Think of one person you trust — a friend, a relative, a colleague — and agree on a word or a message "
            "that means “I need help, come or call someone”."
        ),
    },
    {
        "title": _("A place you could go"),
        "text": _(
            "Know where you could go at any hour, and how you would get there. A helpline can tell you about "
            "shelters and safe places near you."
        ),
    },
    {
        "title": _("A few things ready"),
        "text": _(
            "If you can do it safely, keep copies of important papers, some money, a charger, medicines and "
            "spare keys somewhere your partner will not look, or with someone you trust."
        ),
    },
    {
        "title": _("Your phone and this app"),
        "text": _(
            "Someone who knows your passcode can read what is on your screen. Use a private window, clear your "
            "browser history after visiting this page, and use “Leave this page” (or press Escape three "
            "times) to switch to a neutral site at once. Calls to helplines may show in your call list."
        ),
    },
    {
        "title": _("You decide"),
        "text": _(
            "Helplines listen and help you think; they do not make you do anything. You can call just to talk "
            "through what is happening."
        ),
    },
]
