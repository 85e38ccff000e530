"""What each app erases when a person deletes their account.

``accounts.services.account_delete`` runs every registered step before it
deletes the account. An app that holds something the deletion's cascade does
not settle (the couple to close, the journal key to destroy) says so in its
own ``<app>/account_erasure.py`` with ``@erasure.step``; ``AccountsConfig.ready``
imports those modules (``autodiscover_modules``), so accounts never imports
the apps built on it. Steps run in ``INSTALLED_APPS`` order (couples before
journal: the couple closes, ending its shares, before the key goes). A step
that raises stops the erasure before anything is deleted.

An account is erased 14 days after its owner closes it (or at once, with
"erase now"), so a step may run long after the password was typed: it is
called with ``password=None`` then. What must happen the moment the account
closes (its couple ends, its codes stop working, a therapist's access ends)
is a close step (``@erasure.on_close``, ``func(*, user)``), run by
``accounts.services.account_close`` and again, harmlessly, before an
erasure."""

from collections.abc import Callable

from .models import User

Step = Callable[..., object]

# Keyed by the step's dotted name: importing a module twice registers once.
_STEPS: dict[str, Step] = {}


def step(func: Step) -> Step:
    """Registers ``func(*, user, password)`` to run before an account is
    deleted (``password`` is None for an erasure after the window)."""
    _STEPS[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def steps() -> dict[str, Step]:
    return dict(_STEPS)


def erasure_steps_run(*, user: User, password: str | None) -> None:
    for func in list(_STEPS.values()):
        func(user=user, password=password)


_CLOSE_STEPS: dict[str, Step] = {}


def on_close(func: Step) -> Step:
    """Registers ``func(*, user)`` to run the moment an account closes
    (before its erasure, which may be days later). Idempotent by contract:
    it runs again before the erasure."""
    _CLOSE_STEPS[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def close_steps() -> dict[str, Step]:
    return dict(_CLOSE_STEPS)


def close_steps_run(*, user: User) -> None:
    for func in list(_CLOSE_STEPS.values()):
        func(user=user)
