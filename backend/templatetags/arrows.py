"""An arrow between a value and the one it became: "3 → 5".

``{% arrow %}`` between two values, ``{{ values|arrow_join }}`` between each
of a list's. The arrow is drawn for the eye only (``aria-hidden``) and points
the other way in a right-to-left page (``.flip-rtl``, static/css/steady.css);
a screen reader hears a word instead, "3 then 5", in the reader's language.
Builtins (settings TEMPLATES), as ``|when``. An arrow inside a translated
message is the translation's: Arabic writes "←" (locale/ar).
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

register = template.Library()


def _arrow() -> str:
    return format_html(
        ' <span class="flip-rtl" aria-hidden="true">→</span><span class="visually-hidden">{}</span> ',
        pgettext("between a value and the one it became", "then"),
    )


@register.simple_tag
def arrow() -> str:
    return _arrow()


@register.filter(is_safe=True, needs_autoescape=True)
def arrow_join(values, autoescape=True) -> str:
    escape = conditional_escape if autoescape else str
    return mark_safe(_arrow().join(str(escape(v)) for v in values))  # noqa: S308 - each value escaped
