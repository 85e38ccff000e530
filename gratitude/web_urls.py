from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("gratitude/", couple_required(views.jar), name="gratitude"),
    path("gratitude/write/", couple_required(views.write), name="gratitude-write"),
    path("gratitude/random/", couple_required(views.random_note), name="gratitude-random"),
    path("gratitude/nudge/", couple_required(views.nudge), name="gratitude-nudge"),
    path("gratitude/<int:note_id>/", couple_required(views.note_detail), name="gratitude-note"),
    path("gratitude/<int:note_id>/acknowledge/", couple_required(views.acknowledge), name="gratitude-acknowledge"),
    path("gratitude/<int:note_id>/delete/", couple_required(views.delete), name="gratitude-delete"),
]
