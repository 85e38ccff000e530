from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read-all/", api.NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:notification_id>/read/", api.NotificationReadApi.as_view(), name="api-notification-read"),
    path("me/notification-preferences/", api.PreferencesApi.as_view(), name="api-notification-preferences"),
    path("push/subscriptions/", api.PushSubscriptionApi.as_view(), name="api-push-subscriptions"),
    path("push/vapid-public-key/", api.VapidKeyApi.as_view(), name="api-push-vapid"),
]
