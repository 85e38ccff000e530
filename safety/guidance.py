"""Safety-planning guidance, in our own words (issue #23). Shown on the
help page and returned by the API, the same for everyone. Plain advice, no
diagnosis (PRODUCT.md: not a clinic)."""

GUIDANCE: list[dict[str, str]] = [
    {
        "title": "If you are in danger now",
        "text": "Call the emergency number at the top of this page. If you cannot talk, many services let you stay on "
        "the line silently or send a text.",
    },
    {
        "title": "Someone you can tell",
        "text": "Think of one person you trust — a friend, a relative, a colleague — and agree on a word or a message "
        "that means \u201cI need help, come or call someone\u201d.",
    },
    {
        "title": "A place you could go",
        "text": "Know where you could go at any hour, and how you would get there. A helpline can tell you about "
        "shelters and safe places near you.",
    },
    {
        "title": "A few things ready",
        "text": "If you can do it safely, keep copies of important papers, some money, a charger, medicines and "
        "spare keys somewhere your partner will not look, or with someone you trust.",
    },
    {
        "title": "Your phone and this app",
        "text": "Someone who knows your passcode can read what is on your screen. Use a private window, clear your "
        "browser history after visiting this page, and use \u201cLeave this page\u201d (or press Escape three "
        "times) to switch to a neutral site at once. Calls to helplines may show in your call list.",
    },
    {
        "title": "You decide",
        "text": "Helplines listen and help you think; they do not make you do anything. You can call just to talk "
        "through what is happening.",
    },
]
