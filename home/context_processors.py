"""``show_tabbar`` and ``current_tab`` in every template: whether the phone
tab bar is shown, and which tab the page belongs to, so the bar marks it
with ``aria-current``. No query: every page's query count stays as it was."""

# Longest prefix first is not needed: the prefixes do not overlap.
_TABS = (
    ("/checkins/", "checkins"),
    ("/gratitude/", "notes"),
    ("/journal/", "journal"),
    ("/more/", "more"),
    ("/daily/", "more"),
    ("/agreements/", "more"),
    ("/space/", "more"),
    ("/timeout/", "more"),
    ("/couple/therapists/", "more"),
    ("/notifications/", "more"),
    ("/settings/", "more"),
)


# Pages for someone without a couple, where the tabs would lead nowhere.
_NO_TABBAR = ("/pair/", "/welcome/", "/couple/ended/", "/therapist/", "/therapists/", "/accounts/")


def current_tab(request):
    path = request.path
    user = getattr(request, "user", None)
    show = bool(user and user.is_authenticated and not user.is_therapist and not path.startswith(_NO_TABBAR))
    if path == "/":
        return {"show_tabbar": show, "current_tab": "home"}
    for prefix, tab in _TABS:
        if path.startswith(prefix):
            return {"show_tabbar": show, "current_tab": tab}
    return {"show_tabbar": show, "current_tab": ""}
