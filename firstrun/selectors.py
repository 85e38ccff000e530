from accounts.models import User
from couples.models import Couple

from .models import FirstRun


def first_run_done(*, user: User, couple: Couple) -> bool:
    return FirstRun.objects.filter(user=user, couple=couple).exists()


def first_run_export(*, user: User) -> list[dict]:
    """When the person finished or skipped the first run, per couple."""
    return [
        {
            "couple_id": row["couple_id"],
            "finished_at": row["finished_at"].isoformat() if row["finished_at"] else None,
            "skipped_at": row["skipped_at"].isoformat() if row["skipped_at"] else None,
        }
        for row in FirstRun.objects.filter(user=user).order_by("id").values("couple_id", "finished_at", "skipped_at")
    ]
