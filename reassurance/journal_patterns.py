"""The patterns page's "ways of steadying that helped most", in the
person's own words (journal.pattern_sections): their own records only."""

from journal.pattern_sections import section

from .services import steadied_ways


@section
def steadied_section(user) -> dict | None:
    if getattr(user, "is_therapist", False):
        return None
    return {"template": "reassurance/_patterns_section.html", "ways": steadied_ways(user=user)[:8]}
