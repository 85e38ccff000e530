from django.urls import path

from . import views

urlpatterns = [
    path("agreements/", views.agreements_index, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement-new"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:agreement_id>/accept/", views.agreement_accept, name="agreement-accept"),
    path("agreements/<int:agreement_id>/change/", views.agreement_amend, name="agreement-amend"),
    path("agreements/<int:agreement_id>/decline/", views.agreement_decline, name="agreement-decline"),
    path("agreements/<int:agreement_id>/retire/", views.agreement_retire, name="agreement-retire"),
    path("agreements/<int:agreement_id>/versions/", views.agreement_versions, name="agreement-versions"),
    path("agreements/<int:agreement_id>/reflect/", views.agreement_reflect, name="agreement-reflect"),
    path("agreements/<int:agreement_id>/reflections/", views.agreement_reflections, name="agreement-reflections"),
]
