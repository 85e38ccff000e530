from django.urls import path

from . import api

urlpatterns = [
    path("daily-question/", api.DailyQuestionTodayApi.as_view(), name="api-daily-question"),
    path("daily-question/history/", api.DailyHistoryApi.as_view(), name="api-daily-history"),
    path("daily-question/preferences/", api.DailyPreferencesApi.as_view(), name="api-daily-preferences"),
    path("daily-question/<int:question_id>/answer/", api.DailyAnswerApi.as_view(), name="api-daily-answer"),
]
