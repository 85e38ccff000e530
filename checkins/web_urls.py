from django.urls import path

from . import views

urlpatterns = [
    path("checkins/", views.checkins_index, name="checkins"),
    path("checkins/start/", views.checkin_start, name="checkin-start"),
    path("checkins/history/", views.history, name="checkins-history"),
    path("checkins/schedules/", views.schedules, name="checkins-schedules"),
    path("checkins/schedules/<int:schedule_id>/change/", views.schedule_edit, name="checkins-schedule-edit"),
    path("checkins/schedules/<int:schedule_id>/delete/", views.schedule_delete, name="checkins-schedule-delete"),
    path("checkins/schedules/<int:schedule_id>/accept/", views.schedule_accept, name="checkins-schedule-accept"),
    path("checkins/schedules/<int:schedule_id>/pause/", views.schedule_pause, name="checkins-schedule-pause"),
    path("checkins/schedules/<int:schedule_id>/resume/", views.schedule_resume, name="checkins-schedule-resume"),
    path("checkins/<int:checkin_id>/", views.checkin_detail, name="checkin"),
    path("checkins/<int:checkin_id>/skip/", views.checkin_skip, name="checkin-skip"),
    path("checkins/<int:checkin_id>/live/", views.checkin_live, name="checkin-live"),
]
