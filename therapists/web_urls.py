from django.urls import path

from . import views

urlpatterns = [
    # Partners
    path("couple/therapists/", views.access, name="therapist-access"),
    path("couple/therapists/log/", views.access_log, name="therapist-access-log"),
    path("couple/therapists/sees/", views.therapist_sees, name="therapist-sees"),
    path("couple/therapists/<int:grant_id>/approve/", views.grant_approve, name="therapist-grant-approve"),
    path("couple/therapists/<int:grant_id>/note/", views.presession_note_create, name="therapist-presession-note"),
    path("couple/therapists/<int:grant_id>/change/", views.grant_change, name="therapist-grant-change"),
    path("couple/therapists/<int:grant_id>/revoke/", views.grant_revoke, name="therapist-grant-revoke"),
    path("practices/", views.practices, name="practices"),
    path(
        "practices/<int:practice_id>/<str:action>/",
        views.practice_act,
        name="practice-act",
    ),
    # Therapists
    path("therapists/join/", views.therapist_join, name="therapist-join"),
    path("therapist/", views.therapist_home, name="therapist-home"),
    path("therapist/security/", views.therapist_security, name="therapist-security"),
    path("therapist/couples/<int:couple_id>/", views.therapist_summary, name="therapist-summary"),
    path(
        "therapist/couples/<int:couple_id>/checkup-request/",
        views.therapist_checkup_request,
        name="therapist-checkup-request",
    ),
    path("therapist/couples/<int:couple_id>/end/", views.therapist_end, name="therapist-end"),
    path("therapist/couples/<int:couple_id>/session/", views.therapist_session, name="therapist-session"),
    path(
        "therapist/couples/<int:couple_id>/session-dates/",
        views.therapist_session_date,
        name="therapist-session-date",
    ),
    path(
        "therapist/couples/<int:couple_id>/session-dates/<int:session_id>/remove/",
        views.therapist_session_date_remove,
        name="therapist-session-date-remove",
    ),
    path(
        "therapist/couples/<int:couple_id>/practices/",
        views.therapist_practice_propose,
        name="therapist-practice-propose",
    ),
]
