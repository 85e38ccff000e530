"""All WebSocket routes; each app contributes its own list."""

from checkins.routing import websocket_urlpatterns as checkin_routes

websocket_urlpatterns: list = [*checkin_routes]
