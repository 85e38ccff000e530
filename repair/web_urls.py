from django.urls import path

from couples.decorators import couple_required

from . import conversation_views, views

urlpatterns = [
    path("timeout/", couple_required(views.index), name="timeout"),
    path("timeout/rules/", couple_required(views.rules), name="timeout-rules"),
    path("timeout/<int:period_id>/", couple_required(views.detail), name="timeout-detail"),
    path("repair/", couple_required(conversation_views.repair_index), name="repair"),
    path("repair/<int:repair_id>/", couple_required(conversation_views.repair_detail), name="repair-detail"),
]
