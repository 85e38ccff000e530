"""Sentence starters for a note of appreciation, written by us.

Specific, small and recent beats grand and general: a partner believes
"I noticed you..." more easily than "you're the best". None of them asks
for anything back."""

PROMPTS: tuple[str, ...] = (
    "Something you did this week that I noticed…",
    "I felt cared for when you…",
    "Thank you for the small thing you did today:",
    "I'm grateful that you…",
    "Something I admire about the way you…",
    "I loved it when we…",
    "You made my day easier when you…",
    "Something about you I don't say often enough:",
)
