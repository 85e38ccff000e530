"""The accessibility statement (/accessibility/): public, the same for
everyone, no query. What it says is kept true by tests/e2e/test_accessibility.py
and docs/accessibility.md; change the three together."""

import datetime as dt

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

# The day the statement was last checked against the tests (bump it when
# the statement or the tests change).
REVIEWED = dt.date(2026, 12, 5)


@require_GET
def accessibility_statement(request):
    return render(
        request, "home/accessibility.html", {"reviewed": REVIEWED, "contact": settings.STEADY_ACCESSIBILITY_CONTACT}
    )
