from django.urls import path

from . import views

urlpatterns = [
    path("pair/", views.pair, name="pair"),
    path("couple/leave/", views.leave, name="couple-leave"),
    path("couple/ended/", views.ended, name="couple-ended"),
    path("settings/pairing/", views.pairing_blocks, name="settings-pairing-blocks"),
]
