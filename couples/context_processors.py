from django.utils.functional import SimpleLazyObject

from .selectors import couple_for_user


def couple(request):
    """``couple`` in every template: the viewer's active couple, or None
    (lazy, so pages that never look pay no query)."""
    user = getattr(request, "user", None)
    return {"couple": SimpleLazyObject(lambda: couple_for_user(user=user) if user else None)}
