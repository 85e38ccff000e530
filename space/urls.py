from django.urls import path

from . import api

urlpatterns = [
    path("space/", api.SpaceListApi.as_view(), name="api-space"),
    path("space/current/", api.SpaceCurrentApi.as_view(), name="api-space-current"),
    path("space/followthrough/", api.SpaceFollowthroughApi.as_view(), name="api-space-followthrough"),
    path("space/<int:period_id>/", api.SpaceDetailApi.as_view(), name="api-space-period"),
    path("space/<int:period_id>/reconnect/", api.SpaceReconnectApi.as_view(), name="api-space-reconnect"),
    path("space/<int:period_id>/extend/", api.SpaceExtendApi.as_view(), name="api-space-extend"),
]
