from django.urls import path

from .consumers import CheckInConsumer

websocket_urlpatterns = [path("ws/checkins/<int:checkin_id>/", CheckInConsumer.as_asgi())]
