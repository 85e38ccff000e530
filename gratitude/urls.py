from django.urls import path

from . import api

urlpatterns = [
    path("gratitude/", api.NoteListApi.as_view(), name="api-gratitude"),
    path("gratitude/prompts/", api.PromptsApi.as_view(), name="api-gratitude-prompts"),
    path("gratitude/random/", api.NoteRandomApi.as_view(), name="api-gratitude-random"),
    path("gratitude/insights/", api.GratitudeInsightsApi.as_view(), name="api-gratitude-insights"),
    path("gratitude/nudge/", api.NudgeApi.as_view(), name="api-gratitude-nudge"),
    path("gratitude/<int:note_id>/", api.NoteDetailApi.as_view(), name="api-gratitude-note"),
    path("gratitude/<int:note_id>/acknowledge/", api.NoteAcknowledgeApi.as_view(), name="api-gratitude-acknowledge"),
]
