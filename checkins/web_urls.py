from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("checkins/", couple_required(views.checkins_index), name="checkins"),
    path("checkins/start/", couple_required(views.checkin_start), name="checkin-start"),
    path("checkins/history/", couple_required(views.history), name="checkins-history"),
    path("checkins/schedules/", couple_required(views.schedules), name="checkins-schedules"),
    path(
        "checkins/schedules/<int:schedule_id>/change/",
        couple_required(views.schedule_edit),
        name="checkins-schedule-edit",
    ),
    path(
        "checkins/schedules/<int:schedule_id>/delete/",
        couple_required(views.schedule_delete),
        name="checkins-schedule-delete",
    ),
    path(
        "checkins/schedules/<int:schedule_id>/accept/",
        couple_required(views.schedule_accept),
        name="checkins-schedule-accept",
    ),
    path(
        "checkins/schedules/<int:schedule_id>/pause/",
        couple_required(views.schedule_pause),
        name="checkins-schedule-pause",
    ),
    path(
        "checkins/schedules/<int:schedule_id>/resume/",
        couple_required(views.schedule_resume),
        name="checkins-schedule-resume",
    ),
    path("checkins/<int:checkin_id>/", couple_required(views.checkin_detail), name="checkin"),
    path("checkins/<int:checkin_id>/skip/", couple_required(views.checkin_skip), name="checkin-skip"),
    path("checkins/<int:checkin_id>/live/", couple_required(views.checkin_live), name="checkin-live"),
]
