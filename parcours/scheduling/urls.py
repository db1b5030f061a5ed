from __future__ import annotations

from django.urls import path

from parcours.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("demander/", views.request_booking, name="request"),
    path("mes-demandes/", views.my_requests, name="my_requests"),
    path("disponibilites/", views.availability, name="availability"),
    path("demandes/", views.approvals, name="approvals"),
    path("<int:pk>/approuver/", views.approve, name="approve"),
    path("<int:pk>/refuser/", views.refuse, name="refuse"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
    path("gestion/", views.manage, name="manage"),
    path("gestion/ressources/nouvelle/", views.resource_form, name="resource_create"),
    path("gestion/ressources/<int:pk>/", views.resource_form, name="resource_edit"),
    path("gestion/sites/<int:pk>/", views.site_settings, name="site_settings"),
    path("gestion/fermetures/<int:pk>/supprimer/", views.closure_remove, name="closure_remove"),
    path("ical/ressource/<str:token>.ics", views.resource_feed, name="resource_feed"),
    path("ical/site/<str:token>.ics", views.site_feed, name="site_feed"),
]
