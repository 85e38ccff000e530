"""Django's template backend, except that a rendered context lets go of
what it held as soon as the page is written.

A template's context and its ``ContextDict`` layers point at each other
(each ``push`` makes one that knows its context), so after a render the
context, the request in it and everything the view gave it (a page of
rows, querysets) waited for the cyclic garbage collector instead of being
freed with the response (``backend.handler`` does the same for the
request itself; issue #16). Emptying the context's layers once the text is
written breaks that cycle. The test client keeps its own copy of each
context (``response.context``), which this does not touch."""

from django.template import TemplateDoesNotExist
from django.template.backends import django as django_backend
from django.template.context import make_context


class Template(django_backend.Template):
    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(context)
        except TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self.backend)
        finally:
            context.dicts.clear()


class DjangoTemplates(django_backend.DjangoTemplates):
    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self)
