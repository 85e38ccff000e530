from django.urls import path

from . import api

urlpatterns = [
    path("me/safety/", api.SafetyApi.as_view(), name="api-safety"),
    path("me/safety/answers/", api.SafetyAnswersApi.as_view(), name="api-safety-answers"),
    path("me/safety/pause/", api.SafetyPauseApi.as_view(), name="api-safety-pause"),
]
