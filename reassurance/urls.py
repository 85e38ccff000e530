from django.urls import path

from . import api

urlpatterns = [
    path("reassurance/ritual/", api.RitualApi.as_view(), name="api-reassurance-ritual"),
    path("reassurance/ritual/<int:ritual_id>/accept/", api.RitualAcceptApi.as_view(), name="api-reassurance-accept"),
    path("reassurance/phrases/", api.PhrasesApi.as_view(), name="api-reassurance-phrases"),
    path("reassurance/phrases/<int:phrase_id>/", api.PhraseApi.as_view(), name="api-reassurance-phrase"),
    path("reassurance/occurrences/", api.OccurrencesApi.as_view(), name="api-reassurance-occurrences"),
    path(
        "reassurance/occurrences/<int:occurrence_id>/", api.OccurrenceApi.as_view(), name="api-reassurance-occurrence"
    ),
    path("steadied/", api.SteadiedApi.as_view(), name="api-steadied"),
    path("steadied/digests/", api.DigestsApi.as_view(), name="api-steadied-digests"),
    path("steadied/digests/<int:digest_id>/", api.DigestApi.as_view(), name="api-steadied-digest"),
    path(
        "steadied/digests/<int:digest_id>/acknowledge/",
        api.DigestAcknowledgeApi.as_view(),
        name="api-steadied-digest-acknowledge",
    ),
]
