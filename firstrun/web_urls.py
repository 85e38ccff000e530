from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("welcome/", couple_required(views.schedule_step), name="welcome"),
    path("welcome/notifications/", couple_required(views.notifications_step), name="welcome-notifications"),
    path("welcome/quiet-hours/", couple_required(views.quiet_hours_step), name="welcome-quiet-hours"),
    path("welcome/privacy/", couple_required(views.privacy_step), name="welcome-privacy"),
    path("welcome/finish/", couple_required(views.finish), name="welcome-finish"),
]
