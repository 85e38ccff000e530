from django.urls import path

from . import api

urlpatterns = [
    path("agreements/", api.AgreementListApi.as_view(), name="api-agreements"),
    path("agreements/<int:agreement_id>/", api.AgreementDetailApi.as_view(), name="api-agreement"),
    path("agreements/<int:agreement_id>/accept/", api.AgreementAcceptApi.as_view(), name="api-agreement-accept"),
    path("agreements/<int:agreement_id>/amend/", api.AgreementAmendApi.as_view(), name="api-agreement-amend"),
    path("agreements/<int:agreement_id>/decline/", api.AgreementDeclineApi.as_view(), name="api-agreement-decline"),
    path("agreements/<int:agreement_id>/retire/", api.AgreementRetireApi.as_view(), name="api-agreement-retire"),
    path("agreements/<int:agreement_id>/versions/", api.AgreementVersionsApi.as_view(), name="api-agreement-versions"),
    path(
        "agreements/<int:agreement_id>/reflections/",
        api.AgreementReflectionsApi.as_view(),
        name="api-agreement-reflections",
    ),
    path(
        "agreements/<int:agreement_id>/followthrough/",
        api.AgreementFollowThroughApi.as_view(),
        name="api-agreement-followthrough",
    ),
]
