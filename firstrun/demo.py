"""The demo couple has been through the first run (``manage.py seed_demo``):
signing in as alice or bob lands on the home page. Idempotent."""

from django.utils import timezone

from accounts.models import User
from couples.models import Couple

from .models import FirstRun


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    for user in (alice, bob):
        FirstRun.objects.get_or_create(user=user, couple=couple, defaults={"finished_at": timezone.now()})
