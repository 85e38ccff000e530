from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("more/", views.more, name="more"),
    path("couple/ended/<int:couple_id>/", views.couple_history, name="couple-history"),
]
