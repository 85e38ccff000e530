from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("agreements/", couple_required(views.agreements_index), name="agreements"),
    path("agreements/new/", couple_required(views.agreement_new), name="agreement-new"),
    path("agreements/<int:agreement_id>/", couple_required(views.agreement_detail), name="agreement"),
    path("agreements/<int:agreement_id>/accept/", couple_required(views.agreement_accept), name="agreement-accept"),
    path("agreements/<int:agreement_id>/change/", couple_required(views.agreement_amend), name="agreement-amend"),
    path("agreements/<int:agreement_id>/decline/", couple_required(views.agreement_decline), name="agreement-decline"),
    path("agreements/<int:agreement_id>/retire/", couple_required(views.agreement_retire), name="agreement-retire"),
    path(
        "agreements/<int:agreement_id>/versions/", couple_required(views.agreement_versions), name="agreement-versions"
    ),
    path("agreements/<int:agreement_id>/reflect/", couple_required(views.agreement_reflect), name="agreement-reflect"),
    path(
        "agreements/<int:agreement_id>/reflections/",
        couple_required(views.agreement_reflections),
        name="agreement-reflections",
    ),
]
