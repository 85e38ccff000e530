from django.urls import path

from . import api

urlpatterns = [
    path("therapist/connect-codes/", api.ConnectCodeListApi.as_view(), name="api-therapist-connect-codes"),
    path("therapist/verify/", api.TherapistVerifyApi.as_view(), name="api-therapist-verify"),
    path("therapist/couples/", api.TherapistCoupleListApi.as_view(), name="api-therapist-couples"),
    path("therapist/couples/<int:couple_id>/summary/", api.SummaryApi.as_view(), name="api-therapist-summary"),
    path("therapist/couples/<int:couple_id>/progress/", api.ProgressApi.as_view(), name="api-therapist-progress"),
    path(
        "therapist/couples/<int:couple_id>/promises/", api.TherapistPromisesApi.as_view(), name="api-therapist-promises"
    ),
    path(
        "therapist/couples/<int:couple_id>/repair-trend/",
        api.TherapistRepairTrendApi.as_view(),
        name="api-therapist-repair-trend",
    ),
    path(
        "therapist/couples/<int:couple_id>/checkup-request/",
        api.CheckupRequestApi.as_view(),
        name="api-therapist-checkup-request",
    ),
    path("therapist/couples/<int:couple_id>/end/", api.TherapistEndApi.as_view(), name="api-therapist-end"),
    path(
        "therapist/couples/<int:couple_id>/practices/",
        api.TherapistPracticeListApi.as_view(),
        name="api-therapist-practices",
    ),
    path(
        "therapist/couples/<int:couple_id>/checkup-cadence/",
        api.TherapistCheckupCadenceApi.as_view(),
        name="api-therapist-checkup-cadence",
    ),
    path(
        "therapist/couples/<int:couple_id>/session-dates/",
        api.TherapistSessionDateListApi.as_view(),
        name="api-therapist-session-dates",
    ),
    path(
        "therapist/couples/<int:couple_id>/session-dates/<int:session_date_id>/",
        api.TherapistSessionDateApi.as_view(),
        name="api-therapist-session-date",
    ),
    path("practices/", api.PracticeListApi.as_view(), name="api-practices"),
    path("practices/<int:practice_id>/", api.PracticeDetailApi.as_view(), name="api-practice"),
    path("practices/<int:practice_id>/accept/", api.PracticeAcceptApi.as_view(), name="api-practice-accept"),
    path("practices/<int:practice_id>/decline/", api.PracticeDeclineApi.as_view(), name="api-practice-decline"),
    path("practices/<int:practice_id>/done/", api.PracticeDoneApi.as_view(), name="api-practice-done"),
    path(
        "practices/<int:practice_id>/renegotiate/",
        api.PracticeRenegotiateApi.as_view(),
        name="api-practice-renegotiate",
    ),
    path("couple/therapist-grants/", api.GrantListApi.as_view(), name="api-therapist-grants"),
    path("couple/therapist-grants/<int:grant_id>/", api.GrantDetailApi.as_view(), name="api-therapist-grant"),
    path(
        "couple/therapist-grants/<int:grant_id>/approve/",
        api.GrantApproveApi.as_view(),
        name="api-therapist-grant-approve",
    ),
    path(
        "couple/therapist-grants/<int:grant_id>/replace/",
        api.GrantReplaceApi.as_view(),
        name="api-therapist-grant-replace",
    ),
    path(
        "couple/therapist-grants/<int:grant_id>/view/",
        api.GrantViewApi.as_view(),
        name="api-therapist-grant-view",
    ),
    path(
        "couple/therapist-grants/<int:grant_id>/revoke/",
        api.GrantRevokeApi.as_view(),
        name="api-therapist-grant-revoke",
    ),
    path("couple/access-log/", api.AccessLogApi.as_view(), name="api-access-log"),
    path("couple/access-log/couples/", api.AccessLogCoupleListApi.as_view(), name="api-access-log-couples"),
]
