"""``{{ value|when:"weekday_day_month" }}``: a date in one of Steady's named
shapes, in the reader's language (backend/dates.py). A builtin (settings
TEMPLATES), so every template has it without ``{% load %}``."""

from django import template

from backend.dates import when as _when

register = template.Library()


# expects_localtime: an aware datetime is shown in the current time zone,
# exactly as Django's |date does.
@register.filter(expects_localtime=True, is_safe=False)
def when(value, shape):
    if value in (None, ""):
        return ""
    try:
        return _when(value, shape)
    except (AttributeError, TypeError):  # not a date: nothing, as |date
        return ""
