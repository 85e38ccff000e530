from django.urls import path

from . import api

urlpatterns = [
    path("couple/", api.CoupleDetailApi.as_view(), name="api-couple"),
    path("couple/invites/", api.InviteCreateApi.as_view(), name="api-couple-invites"),
    path("couple/join/", api.CoupleJoinApi.as_view(), name="api-couple-join"),
    path("couple/leave/", api.CoupleLeaveApi.as_view(), name="api-couple-leave"),
    path("me/pairing-blocks/", api.PairingBlockListApi.as_view(), name="api-pairing-blocks"),
    path("me/pairing-blocks/<int:block_id>/", api.PairingBlockDetailApi.as_view(), name="api-pairing-block"),
]
