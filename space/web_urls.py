from django.urls import path

from . import views

urlpatterns = [
    path("space/", views.index, name="space"),
    path("space/<int:period_id>/reconnect/", views.reconnect, name="space-reconnect"),
    path("space/<int:period_id>/extend/", views.extend, name="space-extend"),
]
