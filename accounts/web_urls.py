from django.urls import path

from . import applock_views, views

urlpatterns = [
    path("settings/", views.settings_view, name="settings"),
    path("settings/lock/", applock_views.settings_lock, name="settings-applock"),
    path("lock/", applock_views.lock, name="applock"),
    path("settings/devices/", views.devices, name="settings-devices"),
    path("settings/devices/sign-out-others/", views.devices_sign_out_others, name="settings-devices-sign-out-others"),
    path("settings/devices/<str:session_id>/sign-out/", views.device_sign_out, name="settings-device-sign-out"),
    path("account/restore/<str:token>/", views.account_restore, name="account-restore"),
]
