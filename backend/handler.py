"""Steady's ASGI handler: Django's own, except that a request's objects are
freed as soon as its response is closed, not by the garbage collector.

Django and DRF leave every request in reference cycles, which reference
counting cannot free:

- the request and what middleware hangs on it: the lazy user
  (``request.auser``, a partial of the request), the messages storage
  (``storage.request``);
- a DRF view, its ``Request`` and its ``Response`` (``view.request``,
  ``view.response``, ``request.parser_context["view"]``,
  ``response.renderer_context["response"]``, ``view.head = view.get``), with
  the paginator and its page;
- a ``many=True`` serializer and its child (``child.parent``), holding the
  page's rows: model instances, their opened text;
- a page's class-based view (``view.head = view.get``) and its forms (a
  bound field knows its form);
- the handler's own frame, kept by the exception the disconnect listener
  raises once the response is sent (RequestAborted → traceback → frame →
  the list of tasks → the task → RequestAborted), and with it the request.

So each request left its whole graph (a journal page: about 550 objects)
for the cyclic collector. Under load those objects are still alive at the
young collections, reach the oldest generation, and bring on full
collections of the whole heap: 150 ms each, every second or so, about
1.2 ms of CPU per journal request and 0.3 ms per request of the bench's
baseline (bench/api.py, issue #16; docs/operations.md).

This handler breaks those cycles once the response is closed (after its
last byte is sent, and after Django's own closers ran), and lets the
disconnect listener end without raising. The request's objects are then
freed by reference counting as the request ends. The test client does not
go through it (it reads the request and the response after they are
closed); ``tests/test_request_cycles.py`` serves requests through this
handler and counts what is left for the collector.

Still left to the collector, as before (rarer, and small): an input
serializer and its fields (a local of the view, which nothing here can
reach), a 404 from the URL resolver and an uncaught exception (their
tracebacks' frames). Sentry's tracing, when on, reads the request once
the transaction ends, after this: it finds it empty and takes the URL,
method and headers from the ASGI scope, as it does anyway.
"""

from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.forms import BaseForm
from django.views import View


def _serializers_of(data):
    """The serializers behind a response's data: DRF's ``ReturnList`` and
    ``ReturnDict`` keep theirs, at the top or as a paginated page's
    results."""
    found = []
    for value in (data, *(data.values() if isinstance(data, dict) else ())):
        serializer = getattr(value, "serializer", None)
        if serializer is not None:
            found.append(serializer)
    return found


def release(request, response) -> None:
    """Breaks the reference cycles of a request whose response was sent and
    closed: afterwards nothing reads them. Each object's own attributes go,
    so a cycle through any of them (including one a later middleware
    adds) is broken too."""
    context = getattr(response, "renderer_context", None) or {}
    objects = [request, context.get("view"), context.get("request")]
    for serializer in _serializers_of(getattr(response, "data", None)):
        objects += [serializer, getattr(serializer, "child", None)]
    # A page's TemplateResponse: its class-based view (``view.head =
    # view.get``) and forms (each bound field knows its form).
    page = getattr(response, "context_data", None)
    if isinstance(page, dict):
        objects += [value for value in page.values() if isinstance(value, View | BaseForm)]
    for obj in objects:
        state = getattr(obj, "__dict__", None)
        if state is not None:
            state.clear()
    if context:
        context.clear()


class ASGIHandler(DjangoASGIHandler):
    async def get_response_async(self, request):
        response = await super().get_response_async(request)
        # Django has just added request.close; this runs after it, when the
        # response is closed (and the closers list, holding this, is cleared).
        response._resource_closers.append(lambda: release(request, response))
        return response

    async def listen_for_disconnect(self, receive):
        # Django's raises RequestAborted when the client goes (after every
        # response, too) and its ``handle`` ignores it; its traceback kept
        # that ``handle``'s frame, and the request, alive in a cycle.
        # Ending the task is the same signal: ``handle`` cancels the view's
        # task if it is still running, as before.
        try:
            await super().listen_for_disconnect(receive)
        except RequestAborted:
            return


def get_asgi_application() -> ASGIHandler:
    """``django.core.asgi.get_asgi_application``, with this handler."""
    import django

    django.setup(set_prefix=False)
    return ASGIHandler()
