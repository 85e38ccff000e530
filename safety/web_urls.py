from django.urls import path

from . import views

urlpatterns = [
    path("safety/", views.safety, name="safety"),
    path("safety/help/", views.help_now, name="safety-help"),
    path("safety/answers/", views.answers, name="safety-answers"),
    path("safety/answer/", views.answer, name="safety-answer"),
    path("safety/later/", views.later, name="safety-later"),
    path("safety/pause/", views.pause, name="safety-pause"),
    path("safety/resume/", views.resume, name="safety-resume"),
    path("safety/preferences/", views.preferences, name="safety-preferences"),
]
