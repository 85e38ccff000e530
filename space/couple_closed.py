"""What ends in taking space when a couple closes (couples.closing)."""

from couples import closing

from .services import space_end_for_couple


@closing.handler
def periods_end(couple_id: int) -> None:
    # Every open period, a time-out or plain taking space, closes silently
    # as "ended": nobody is owed a return any more, and none may turn into
    # "missed" or remind anyone.
    space_end_for_couple(couple_id=couple_id)
