import os

from django.urls import get_resolver

from backend import heap
from backend.handler import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from backend.ws_auth import BearerOrSessionAuthMiddleware, OriginValidated  # noqa: E402
from backend.ws_routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginValidated(BearerOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)

# Every view, serializer and URL imported now, not at the first request, so
# that what they make at import is frozen with the rest of start-up.
get_resolver().url_patterns  # noqa: B018
heap.settle()
