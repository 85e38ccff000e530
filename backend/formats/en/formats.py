# English: Steady writes the day before the month, "5 December 2026", as it
# always has (Django's English is American, "Dec. 5, 2026"). Only the
# display formats differ; input formats and the rest stay Django's.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
