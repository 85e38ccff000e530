from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("daily/", couple_required(views.today), name="daily"),
    path("daily/history/", couple_required(views.history), name="daily-history"),
    path("daily/themes/", couple_required(views.themes), name="daily-themes"),
]
