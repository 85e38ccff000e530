from django.urls import path

from . import api

urlpatterns = [
    path("me/export/", api.ExportApi.as_view(), name="api-me-export"),
]
