from django.urls import path

from . import api, conversation_api

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
    path("repairs/", conversation_api.RepairListApi.as_view(), name="api-repairs"),
    path("repairs/commitments/", conversation_api.CommitmentListApi.as_view(), name="api-repair-commitments"),
    path(
        "repairs/commitments/<int:commitment_id>/keep/",
        conversation_api.CommitmentKeepApi.as_view(),
        name="api-repair-commitment-keep",
    ),
    path("repairs/<int:repair_id>/", conversation_api.RepairDetailApi.as_view(), name="api-repair"),
    path(
        "repairs/<int:repair_id>/steps/<slug:step_key>/",
        conversation_api.RepairStepApi.as_view(),
        name="api-repair-step",
    ),
    path("repairs/<int:repair_id>/stop/", conversation_api.RepairStopApi.as_view(), name="api-repair-stop"),
    path("repairs/<int:repair_id>/events/", conversation_api.RepairEventsApi.as_view(), name="api-repair-events"),
]
