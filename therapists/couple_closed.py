"""What ends in therapists when a couple closes (couples.closing)."""

from couples import closing

from .services import grants_end_for_couple


@closing.handler
def on_couple_closed(couple_id: int) -> None:
    # Tidy-up only: Grant.active_condition already refuses a closed couple,
    # so consent never waits on this.
    grants_end_for_couple(couple_id)
