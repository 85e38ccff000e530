"""What ends in the repair conversation when a couple closes (couples.closing)."""

from couples import closing

from .conversation import repairs_end_for_couple


@closing.handler
def repairs_end(couple_id: int) -> None:
    # Open repairs close silently as "ended" and open commitments end:
    # nobody is owed them any more, nothing turns into "missed".
    repairs_end_for_couple(couple_id=couple_id)
