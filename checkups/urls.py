from django.urls import path

from . import api

urlpatterns = [
    path("checkups/", api.CheckupListApi.as_view(), name="api-checkups"),
    path("checkups/cadence/", api.CheckupCadenceApi.as_view(), name="api-checkup-cadence"),
    path("checkups/instruments/", api.InstrumentListApi.as_view(), name="api-checkup-instruments"),
    path("checkups/<int:round_id>/", api.CheckupDetailApi.as_view(), name="api-checkup"),
]
