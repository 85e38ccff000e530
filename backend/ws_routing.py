"""All WebSocket routes; each app contributes its own list."""

from checkins.routing import websocket_urlpatterns as checkin_routes
from repair.routing import websocket_urlpatterns as repair_routes

websocket_urlpatterns: list = [*checkin_routes, *repair_routes]
