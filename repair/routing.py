from django.urls import path

from .consumers import RepairConsumer

websocket_urlpatterns = [path("ws/repairs/<int:repair_id>/", RepairConsumer.as_asgi())]
