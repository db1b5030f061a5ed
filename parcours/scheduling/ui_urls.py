"""Logistics pages (mounted under /logistique/ in config/urls.py)."""

from __future__ import annotations

from django.urls import path

from parcours.scheduling import ui_views as views

app_name = "scheduling_ui"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("planning/<int:site_id>/", views.planning_day, name="planning_day"),
    path("planning/<int:site_id>/semaine/", views.planning_week, name="planning_week"),
    path("planning/<int:site_id>/nouvelle/", views.booking_create, name="booking_create"),
    path("reservations/<int:pk>/", views.booking_detail, name="booking"),
    path("reservations/<int:pk>/approuver/", views.booking_approve, name="booking_approve"),
    path("reservations/<int:pk>/refuser/", views.booking_refuse, name="booking_refuse"),
    path("reservations/<int:pk>/deplacer/", views.booking_move, name="booking_move"),
    path("reservations/<int:pk>/annuler/", views.booking_cancel, name="booking_cancel"),
    path("reservations/<int:pk>/ecran/", views.booking_lobby, name="booking_lobby"),
    path("occupation/", views.occupancy, name="occupancy"),
    path("ecran/<str:token>/", views.lobby, name="lobby"),
    path("catering/<int:site_id>/", views.catering_list, name="catering"),
    path("catering/<int:site_id>/liste.csv", views.catering_csv, name="catering_csv"),
    path("catering/<int:site_id>/liste.pdf", views.catering_pdf, name="catering_pdf"),
    path("prets/", views.loan_list, name="loans"),
    path("prets/nouveau/", views.loan_create, name="loan_create"),
    path("prets/rappels/", views.loan_reminders, name="loan_reminders"),
    path("prets/<int:pk>/retour/", views.loan_return, name="loan_return"),
    path("prets/<int:pk>/rappel/", views.loan_remind, name="loan_remind"),
    path("prets/materiel/<int:resource_id>/", views.loan_item_history, name="loan_item"),
    path("prets/personne/<int:user_id>/", views.loan_person_history, name="loan_person"),
    path("animations/demande/", views.outreach_request, name="outreach_request"),
    path("animations/demande/activites/", views.outreach_activities, name="outreach_activities"),
    path("animations/mes-demandes/", views.outreach_mine, name="outreach_mine"),
    path("animations/file/", views.outreach_queue, name="outreach_queue"),
    path("animations/<int:pk>/", views.outreach_detail, name="outreach_detail"),
    path("animations/<int:pk>/kit.txt", views.outreach_kit, name="outreach_kit"),
]
