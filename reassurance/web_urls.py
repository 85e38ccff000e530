from django.urls import path

from couples.decorators import couple_required

from . import views

urlpatterns = [
    path("reassurance/", couple_required(views.ritual), name="reassurance"),
    path("reassurance/phrases/", views.phrases, name="reassurance-phrases"),
    path("reassurance/<int:occurrence_id>/", couple_required(views.occurrence), name="reassurance-occurrence"),
    path("steadied/", views.steadied, name="steadied"),
    path("steadied/share/", views.digest_share, name="steadied-share"),
    path("steadied/digests/<int:digest_id>/", views.digest_action, name="steadied-digest"),
]
