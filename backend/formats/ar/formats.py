# Arabic: the week shown from Saturday, as in most Arabic-speaking countries
# (Django's Arabic formats leave the default, Sunday). Stored weekdays stay
# ISO (Monday = 0): backend/weekdays.py.
FIRST_DAY_OF_WEEK = 6  # Saturday
