from django.urls import path

from . import views

urlpatterns = [
    path("timeout/", views.index, name="timeout"),
    path("timeout/rules/", views.rules, name="timeout-rules"),
    path("timeout/<int:period_id>/", views.detail, name="timeout-detail"),
]
