"""Issue #20, item 8: every notification says what it is about, in
content-free words: the feature it belongs to is named in its title, no
name or placeholder, and an email's first sentence is the title as a
sentence (no "?.")."""

import pytest

from reminders.delivery import as_sentence
from reminders.kinds import KINDS

# The word a title must carry for each family of kinds (the key's prefix).
SUBJECT = {
    "checkin": "check-in",
    "live": "check-in",
    "schedule": "check-in",
    "repair": "repair",
    "daily": "question",
    "checkup": "check-up",
    "gratitude": "note",
    "space": ("space", "reconnect", "time-out"),
    "agreement": "agreement",
    "therapist": "therapist",
    "couple": "couple",
    "reassurance": "reassurance",
}


def test_every_kind_is_one_of_the_known_families():
    assert KINDS
    for key in KINDS:
        assert key.split("_")[0] in SUBJECT, f"{key}: add its family's subject word to SUBJECT"


@pytest.mark.parametrize("key", sorted(KINDS))
def test_a_title_names_what_it_is_about(key):
    title = KINDS[key].title
    words = SUBJECT[key.split("_")[0]]
    words = (words,) if isinstance(words, str) else words
    assert any(w in title.lower() for w in words), f"{key}: {title!r} does not say what it is about"
    assert "{" not in title and "%" not in title
    assert len(title) <= 120  # Notification.title


def test_an_ad_hoc_checkin_is_not_announced_as_a_scheduled_one():
    assert KINDS["checkin_started"].title == "Your partner started a check-in"
    assert "Time for" not in KINDS["checkin_started"].title


def test_the_email_sentence_never_doubles_the_punctuation():
    assert as_sentence("A moment to write your partner a note?") == "A moment to write your partner a note?"
    assert as_sentence("Your check-in is coming up") == "Your check-in is coming up."
    assert as_sentence("Done.") == "Done."
