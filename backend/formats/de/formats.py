# German: a comma between the date and the time, "5. Dezember 2026, 18:30"
# (Django's runs them together, "5. Dezember 2026 18:30").
DATETIME_FORMAT = "j. F Y, H:i"
