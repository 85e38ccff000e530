"""What ends in the journal when a couple closes (couples.closing)."""

from couples import closing

from .services import shares_end_for_couple


@closing.handler
def on_couple_closed(couple_id: int) -> None:
    # The share selector already hides shares of a closed couple; ending
    # them makes the author's pages say "not shared" too.
    shares_end_for_couple(couple_id)
