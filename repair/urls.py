from django.urls import path

from . import api

urlpatterns = [
    path("timeout-rules/", api.TimeoutRulesListApi.as_view(), name="api-timeout-rules"),
    path("timeout-rules/<int:rules_id>/", api.TimeoutRulesDetailApi.as_view(), name="api-timeout-rule"),
    path("timeout-rules/<int:rules_id>/accept/", api.TimeoutRulesAcceptApi.as_view(), name="api-timeout-rules-accept"),
    path("timeout-rules/<int:rules_id>/amend/", api.TimeoutRulesAmendApi.as_view(), name="api-timeout-rules-amend"),
    path(
        "timeout-rules/<int:rules_id>/decline/", api.TimeoutRulesDeclineApi.as_view(), name="api-timeout-rules-decline"
    ),
    path("timeout-rules/<int:rules_id>/retire/", api.TimeoutRulesRetireApi.as_view(), name="api-timeout-rules-retire"),
    path("timeouts/", api.TimeoutListApi.as_view(), name="api-timeouts"),
    path("timeouts/<int:timeout_id>/", api.TimeoutDetailApi.as_view(), name="api-timeout"),
]
