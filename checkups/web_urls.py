from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("checkups/", couple_required(views.index), name="checkups"),
    path("checkups/cadence/", couple_required(views.cadence), name="checkups-cadence"),
]
