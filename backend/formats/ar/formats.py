# Arabic: the week shown from Saturday, as in most Arabic-speaking countries
# (Django's Arabic formats leave the default, Sunday). Stored weekdays stay
# ISO (Monday = 0): backend/weekdays.py.
FIRST_DAY_OF_WEEK = 6  # Saturday

# Django's Arabic has no DATETIME_FORMAT, so it fell back to the American
# default ("ديسمبر 5, 2026, 6:30 م"). Steady shows times on the 24-hour
# clock in every language.
DATETIME_FORMAT = "j F، Y، H:i"
