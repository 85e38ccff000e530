"""What ends in repair when a couple closes (couples.closing)."""

from couples import closing
from space.models import Kind
from space.services import space_end_for_couple


@closing.handler
def timeouts_end(couple_id: int) -> None:
    # An open time-out closes silently as "ended": nobody is owed a return
    # any more, and it must never turn into "missed" or remind anyone.
    space_end_for_couple(couple_id=couple_id, kind=Kind.TIMEOUT)
