"""The built-in check-in formats, written by us. Formats are data: a list of
steps, each with a key, a prompt and a kind.

The texts are written in English and stored so in the rows (a data migration
syncs them); ``shown`` gives them in the reader's language, and only these
texts: what a couple wrote for a format of their own is never translated."""

from django.utils.translation import gettext, gettext_noop

DAILY_PULSE = {
    "key": "daily-pulse",
    "name": gettext_noop("Daily pulse"),
    "minutes": 2,
    "description": gettext_noop("Two minutes to touch base: how you are, one thing you noticed, one thing you need."),
    "steps": [
        {"key": "mood", "kind": "mood", "prompt": gettext_noop("How are you feeling right now?")},
        {
            "key": "appreciated",
            "kind": "text",
            "prompt": gettext_noop("One thing I appreciated about you today…"),
            "help": gettext_noop("Small is perfect: a look, a message, a cup of tea."),
        },
        {
            "key": "need",
            "kind": "text",
            "prompt": gettext_noop("One thing I need from you, or from us, today…"),
            "help": gettext_noop("Something you can ask for gently. It's fine if it's 'nothing, I'm good'."),
        },
    ],
}

WEEKLY_STATE_OF_US = {
    "key": "weekly-state-of-us",
    "name": gettext_noop("Weekly state of us"),
    "minutes": 30,
    "description": gettext_noop(
        "A calm weekly meeting, modelled on the Gottman 'State of the Union': start with appreciation, "
        "name what went well, bring one topic as a gentle request, and say what you need next week."
    ),
    "steps": [
        {"key": "mood", "kind": "mood", "prompt": gettext_noop("How was this week for you, overall?")},
        {
            "key": "appreciations",
            "kind": "text",
            "prompt": gettext_noop("Things I appreciated about you this week…"),
            "help": gettext_noop("Try to name three, as specifically as you can."),
        },
        {"key": "went_well", "kind": "text", "prompt": gettext_noop("What went well for us this week…")},
        {
            "key": "gentle_request",
            "kind": "text",
            "prompt": gettext_noop("One thing I'd like us to talk about, as a gentle request…"),
            "help": gettext_noop("Start with 'I feel… about… and I'd like…'. Describe, don't blame."),
        },
        {"key": "need_next_week", "kind": "text", "prompt": gettext_noop("What I need from you next week…")},
    ],
}

TEMPERATURE_READING = {
    "key": "temperature-reading",
    "name": gettext_noop("Temperature reading"),
    "minutes": 15,
    "description": gettext_noop(
        "Modelled on Virginia Satir's daily temperature reading: appreciations, news, puzzles, "
        "a complaint with a request, and wishes and hopes."
    ),
    "steps": [
        {"key": "appreciations", "kind": "text", "prompt": gettext_noop("Something I appreciate about you…")},
        {
            "key": "new_information",
            "kind": "text",
            "prompt": gettext_noop("New information: something going on for me you may not know…"),
        },
        {
            "key": "puzzles",
            "kind": "text",
            "prompt": gettext_noop("A puzzle: something I've been wondering about…"),
            "help": gettext_noop("A question, not an accusation: 'I noticed… and I'm curious…'."),
        },
        {
            "key": "complaint_with_request",
            "kind": "text",
            "prompt": gettext_noop("A complaint, with a request for what would help…"),
            "help": gettext_noop("'When…, I felt…. Next time, could we…?'"),
        },
        {"key": "wishes_and_hopes", "kind": "text", "prompt": gettext_noop("A wish or hope I have, for me or for us…")},
    ],
}

BUILTIN_FORMATS = [DAILY_PULSE, WEEKLY_STATE_OF_US, TEMPERATURE_READING]

# Every English text of the built-in formats (names, descriptions, prompts, help).
BUILTIN_TEXTS = frozenset(
    text
    for data in BUILTIN_FORMATS
    for text in (
        data["name"],
        data["description"],
        *(step[field] for step in data["steps"] for field in ("prompt", "help") if step.get(field)),
    )
)


def shown(text: str) -> str:
    """A built-in format's text in the reader's language; anything else as it is."""
    return gettext(text) if text in BUILTIN_TEXTS else text


def shown_step(step: dict) -> dict:
    """A step (of a format or a check-in's copy) with its built-in prompt and help translated."""
    out = {**step, "prompt": shown(step.get("prompt", ""))}
    if step.get("help"):
        out["help"] = shown(step["help"])
    return out


def builtin_formats_sync(Format) -> None:  # noqa: N803 - the model, possibly historical
    for data in BUILTIN_FORMATS:
        Format.objects.update_or_create(
            key=data["key"],
            couple=None,
            defaults={k: data[k] for k in ("name", "minutes", "description", "steps")},
        )
