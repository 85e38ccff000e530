from django.urls import path

from . import views
from .accessibility import accessibility_statement

urlpatterns = [
    path("", views.home, name="home"),
    path("more/", views.more, name="more"),
    path("settings/export/", views.settings_export, name="settings-export"),
    path("settings/delete/", views.settings_delete, name="settings-delete"),
    path("account-deleted/", views.account_deleted, name="account-deleted"),
    path("account-erased/", views.account_erased, name="account-erased"),
    path("accessibility/", accessibility_statement, name="accessibility"),
    path("couple/ended/<int:couple_id>/", views.couple_history, name="couple-history"),
]
