from django.urls import path

from . import api

urlpatterns = [
    path("promises/", api.PromiseListApi.as_view(), name="api-promises"),
    path("promises/<str:promise_id>/renegotiate/", api.PromiseRenegotiateApi.as_view(), name="api-promise-renegotiate"),
    path("promises/<str:promise_id>/keep/", api.PromiseKeepApi.as_view(), name="api-promise-keep"),
    path("repairs/trend/", api.RepairTrendApi.as_view(), name="api-repair-trend"),
]
