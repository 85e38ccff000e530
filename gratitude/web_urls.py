from django.urls import path

from . import views

urlpatterns = [
    path("gratitude/", views.jar, name="gratitude"),
    path("gratitude/write/", views.write, name="gratitude-write"),
    path("gratitude/random/", views.random_note, name="gratitude-random"),
    path("gratitude/nudge/", views.nudge, name="gratitude-nudge"),
    path("gratitude/<int:note_id>/", views.note_detail, name="gratitude-note"),
    path("gratitude/<int:note_id>/acknowledge/", views.acknowledge, name="gratitude-acknowledge"),
    path("gratitude/<int:note_id>/delete/", views.delete, name="gratitude-delete"),
]
