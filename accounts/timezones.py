"""The IANA timezone list moved to ``backend.timezones``, below every app,
so that ``backend.localtime`` need not import accounts. This name stays: the
migrations and several apps import ``accounts.timezones.validate_timezone``."""

from backend.timezones import timezone_choices, valid_timezones, validate_timezone

__all__ = ["timezone_choices", "valid_timezones", "validate_timezone"]
