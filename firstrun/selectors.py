from accounts.models import User
from couples.models import Couple

from .models import FirstRun


def first_run_done(*, user: User, couple: Couple) -> bool:
    return FirstRun.objects.filter(user=user, couple=couple).exists()
