from django.urls import path

from . import api

urlpatterns = [
    path("checkins/", api.CheckInListApi.as_view(), name="api-checkins"),
    path("checkins/formats/", api.FormatListApi.as_view(), name="api-checkin-formats"),
    path("checkins/insights/", api.InsightsApi.as_view(), name="api-checkin-insights"),
    path("checkins/schedules/", api.ScheduleListApi.as_view(), name="api-schedules"),
    path("checkins/schedules/<int:schedule_id>/", api.ScheduleDetailApi.as_view(), name="api-schedule"),
    path("checkins/schedules/<int:schedule_id>/accept/", api.ScheduleAcceptApi.as_view(), name="api-schedule-accept"),
    path("checkins/schedules/<int:schedule_id>/pause/", api.SchedulePauseApi.as_view(), name="api-schedule-pause"),
    path("checkins/schedules/<int:schedule_id>/resume/", api.ScheduleResumeApi.as_view(), name="api-schedule-resume"),
    path("checkins/<int:checkin_id>/", api.CheckInDetailApi.as_view(), name="api-checkin"),
    path("checkins/<int:checkin_id>/answers/", api.CheckInAnswersApi.as_view(), name="api-checkin-answers"),
    path("checkins/<int:checkin_id>/skip/", api.CheckInSkipApi.as_view(), name="api-checkin-skip"),
    path("checkins/<int:checkin_id>/events/", api.CheckInEventsApi.as_view(), name="api-checkin-events"),
    path("checkins/<int:checkin_id>/session/", api.LiveSessionApi.as_view(), name="api-live"),
    path(
        "checkins/<int:checkin_id>/session/answer/",
        api.LiveActionApi.as_view(live_action="answer"),
        name="api-live-answer",
    ),
    path(
        "checkins/<int:checkin_id>/session/ready/",
        api.LiveActionApi.as_view(live_action="ready"),
        name="api-live-ready",
    ),
    path(
        "checkins/<int:checkin_id>/session/pause/",
        api.LiveActionApi.as_view(live_action="pause"),
        name="api-live-pause",
    ),
    path(
        "checkins/<int:checkin_id>/session/resume/",
        api.LiveActionApi.as_view(live_action="resume"),
        name="api-live-resume",
    ),
]
