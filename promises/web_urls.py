from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("promises/", couple_required(views.index), name="promises"),
    path("promises/<str:promise_id>/keep/", couple_required(views.keep), name="promise-keep"),
    path("promises/<str:promise_id>/renegotiate/", couple_required(views.renegotiate), name="promise-renegotiate"),
]
