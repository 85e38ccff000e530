from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("space/", couple_required(views.index), name="space"),
    path("space/<int:period_id>/reconnect/", couple_required(views.reconnect), name="space-reconnect"),
    path("space/<int:period_id>/extend/", couple_required(views.extend), name="space-extend"),
]
