"""The planning area, mounted under /planification/ (config/urls.py)."""

from __future__ import annotations

from django.urls import path

# ``<id:…>`` (a positive 64-bit id, else 404) is registered by parcours.scheduling.urls, which
# config/urls.py imports first.
from parcours.scheduling import urls as _scheduling_urls  # noqa: F401
from parcours.timetabling import views

app_name = "timetabling"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("nouvelle/", views.campaign_create, name="create"),
    path("<id:pk>/", views.campaign_detail, name="detail"),
    path("<id:pk>/modifier/", views.campaign_edit, name="edit"),
    path("<id:pk>/module/", views.campaign_module, name="module"),
    path("<id:pk>/progression/", views.campaign_progress, name="progress"),
    path("<id:pk>/calculer/", views.campaign_solve, name="solve"),
    path("<id:pk>/arreter/", views.campaign_stop, name="stop"),
    path("<id:pk>/epingler/", views.campaign_pin, name="pin"),
    path("<id:pk>/valider/", views.campaign_commit, name="commit"),
    path("formateurs/", views.trainer_list, name="trainers"),
    path("formateurs/<id:user_id>/", views.trainer_edit, name="trainer_edit"),
]
