"""The built-in check-in formats, written by us. Formats are data: a list of
steps, each with a key, a prompt and a kind."""

DAILY_PULSE = {
    "key": "daily-pulse",
    "name": "Daily pulse",
    "minutes": 2,
    "description": "Two minutes to touch base: how you are, one thing you noticed, one thing you need.",
    "steps": [
        {"key": "mood", "kind": "mood", "prompt": "How are you feeling right now?"},
        {
            "key": "appreciated",
            "kind": "text",
            "prompt": "One thing I appreciated about you today…",
            "help": "Small is perfect: a look, a message, a cup of tea.",
        },
        {
            "key": "need",
            "kind": "text",
            "prompt": "One thing I need from you, or from us, today…",
            "help": "Something you can ask for gently. It's fine if it's 'nothing, I'm good'.",
        },
    ],
}

WEEKLY_STATE_OF_US = {
    "key": "weekly-state-of-us",
    "name": "Weekly state of us",
    "minutes": 30,
    "description": (
        "A calm weekly meeting, modelled on the Gottman 'State of the Union': start with appreciation, "
        "name what went well, bring one topic as a gentle request, and say what you need next week."
    ),
    "steps": [
        {"key": "mood", "kind": "mood", "prompt": "How was this week for you, overall?"},
        {
            "key": "appreciations",
            "kind": "text",
            "prompt": "Things I appreciated about you this week…",
            "help": "Try to name three, as specifically as you can.",
        },
        {"key": "went_well", "kind": "text", "prompt": "What went well for us this week…"},
        {
            "key": "gentle_request",
            "kind": "text",
            "prompt": "One thing I'd like us to talk about, as a gentle request…",
            "help": "Start with 'I feel… about… and I'd like…'. Describe, don't blame.",
        },
        {"key": "need_next_week", "kind": "text", "prompt": "What I need from you next week…"},
    ],
}

TEMPERATURE_READING = {
    "key": "temperature-reading",
    "name": "Temperature reading",
    "minutes": 15,
    "description": (
        "Modelled on Virginia Satir's daily temperature reading: appreciations, news, puzzles, "
        "a complaint with a request, and wishes and hopes."
    ),
    "steps": [
        {"key": "appreciations", "kind": "text", "prompt": "Something I appreciate about you…"},
        {
            "key": "new_information",
            "kind": "text",
            "prompt": "New information: something going on for me you may not know…",
        },
        {
            "key": "puzzles",
            "kind": "text",
            "prompt": "A puzzle: something I've been wondering about…",
            "help": "A question, not an accusation: 'I noticed… and I'm curious…'.",
        },
        {
            "key": "complaint_with_request",
            "kind": "text",
            "prompt": "A complaint, with a request for what would help…",
            "help": "'When…, I felt…. Next time, could we…?'",
        },
        {"key": "wishes_and_hopes", "kind": "text", "prompt": "A wish or hope I have, for me or for us…"},
    ],
}

BUILTIN_FORMATS = [DAILY_PULSE, WEEKLY_STATE_OF_US, TEMPERATURE_READING]


def builtin_formats_sync(Format) -> None:  # noqa: N803 - the model, possibly historical
    for data in BUILTIN_FORMATS:
        Format.objects.update_or_create(
            key=data["key"],
            couple=None,
            defaults={k: data[k] for k in ("name", "minutes", "description", "steps")},
        )
