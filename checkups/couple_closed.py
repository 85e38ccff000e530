"""What ends in check-ups when a couple closes (couples.closing)."""

from couples import closing

from .services import checkup_rounds_close_for_couple


@closing.handler
def on_couple_closed(couple_id: int) -> None:
    # The round not yet revealed closes, never revealed; revealed rounds
    # stay as each former partner's record.
    checkup_rounds_close_for_couple(couple_id)
