from django.urls import path

from . import api

urlpatterns = [
    path("journal/", api.JournalListApi.as_view(), name="api-journal"),
    path("journal/shared/", api.JournalSharedListApi.as_view(), name="api-journal-shared"),
    path("journal/patterns/", api.JournalPatternsApi.as_view(), name="api-journal-patterns"),
    path("journal/<int:entry_id>/", api.JournalDetailApi.as_view(), name="api-journal-entry"),
    path("journal/<int:entry_id>/share/", api.JournalShareApi.as_view(), name="api-journal-share"),
]
