"""What each app erases when a person deletes their account.

``accounts.services.account_delete`` runs every registered step before it
deletes the account. An app that holds something the deletion's cascade does
not settle (the couple to close, the journal key to destroy) says so in its
own ``<app>/account_erasure.py`` with ``@erasure.step``; ``AccountsConfig.ready``
imports those modules (``autodiscover_modules``), so accounts never imports
the apps built on it. Steps run in ``INSTALLED_APPS`` order (couples before
journal: the couple closes, ending its shares, before the key goes). A step
that raises stops the erasure before anything is deleted."""

from collections.abc import Callable

from .models import User

Step = Callable[..., object]

# Keyed by the step's dotted name: importing a module twice registers once.
_STEPS: dict[str, Step] = {}


def step(func: Step) -> Step:
    """Registers ``func(*, user, password)`` to run before an account is deleted."""
    _STEPS[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def steps() -> dict[str, Step]:
    return dict(_STEPS)


def erasure_steps_run(*, user: User, password: str) -> None:
    for func in list(_STEPS.values()):
        func(user=user, password=password)
