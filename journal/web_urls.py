from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("journal/", views.journal_index, name="journal"),
    path("journal/write/", views.entry_write, name="journal-write"),
    path("journal/trigger/", views.trigger_write, name="journal-trigger"),
    path("journal/breathe/", views.breathe, name="journal-breathe"),
    path("journal/patterns/", views.patterns, name="journal-patterns"),
    path("journal/shared/", couple_required(views.shared_with_me), name="journal-shared"),
    path("journal/help/", views.help_now, name="journal-help"),
    path("journal/<int:entry_id>/", views.entry_detail, name="journal-entry"),
    path("journal/<int:entry_id>/edit/", views.entry_edit, name="journal-edit"),
    path("journal/<int:entry_id>/breathe/", views.entry_ground, name="journal-ground"),
    path("journal/<int:entry_id>/share/", views.entry_share, name="journal-share"),
    path("journal/<int:entry_id>/unshare/", views.entry_unshare, name="journal-unshare"),
    path("journal/<int:entry_id>/delete/", views.entry_delete, name="journal-delete"),
]
