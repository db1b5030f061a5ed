from __future__ import annotations

from django.urls import path

from parcours.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("gestion/<id:pk>/", views.detail, name="detail"),
    path("gestion/<id:pk>/ateliers/", views.workshops_new, name="workshops_new"),
    path("gestion/<id:pk>/ateliers/<id:wid>/", views.workshop_edit, name="workshop_edit"),
    path("gestion/<id:pk>/accueil/", views.checkin, name="checkin"),
    path("gestion/<id:pk>/export.csv", views.export_csv, name="export"),
    path("gestion/<id:pk>/billets/<id:rid>/annuler/", views.staff_cancel, name="staff_cancel"),
    path("confirmer/<str:secret>/", views.confirm, name="confirm"),
    path("billet/<str:token>/", views.ticket, name="ticket"),
    path("billet/<str:token>/billet.pdf", views.ticket_pdf, name="ticket_pdf"),
    path("billet/<str:token>/annuler/", views.ticket_cancel, name="ticket_cancel"),
    path("<slug:org_slug>/<slug:slug>/", views.programme, name="programme"),
]
