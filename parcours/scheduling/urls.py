"""The logistics area, mounted once under /logistique/ (config/urls.py).

``legacy_urlpatterns`` (mounted under /reservations/) keep the addresses of the former second
front door working: they redirect (308, so a POST stays a POST) to the same page here.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import path, re_path

from parcours.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.hub, name="hub"),
    # Planning grid and bookings made from it
    path("planning/<id:site_id>/", views.planning_day, name="planning_day"),
    path("planning/<id:site_id>/semaine/", views.planning_week, name="planning_week"),
    path("planning/<id:site_id>/nouvelle/", views.booking_create, name="booking_create"),
    path("planning/<id:site_id>/serie/", views.series_create, name="series_create"),
    path("series/<id:pk>/", views.series_detail, name="series"),
    path("series/<id:pk>/annuler/", views.series_cancel, name="series_cancel"),
    path("reservations/<id:pk>/", views.booking_detail, name="booking"),
    path("reservations/<id:pk>/approuver/", views.booking_approve, name="booking_approve"),
    path("reservations/<id:pk>/refuser/", views.booking_refuse, name="booking_refuse"),
    path("reservations/<id:pk>/deplacer/", views.booking_move, name="booking_move"),
    path("reservations/<id:pk>/annuler/", views.booking_cancel, name="booking_cancel"),
    path("reservations/<id:pk>/ecran/", views.booking_lobby, name="booking_lobby"),
    path("reservations/<id:pk>/catering/", views.booking_catering, name="booking_catering"),
    path("occupation/", views.occupancy, name="occupancy"),
    # Requests (any staff member) and their approval (logistics)
    path("demander/", views.request_booking, name="request"),
    path("mes-demandes/", views.my_requests, name="my_requests"),
    path("disponibilites/", views.availability, name="availability"),
    path("demandes/", views.approvals, name="approvals"),
    path("demandes/<id:pk>/approuver/", views.approve, name="approve"),
    path("demandes/<id:pk>/refuser/", views.refuse, name="refuse"),
    path("demandes/<id:pk>/annuler/", views.cancel, name="cancel"),
    # Resources and sites (logistics)
    path("gestion/", views.manage, name="manage"),
    path("gestion/ressources/nouvelle/", views.resource_form, name="resource_create"),
    path("gestion/ressources/<id:pk>/", views.resource_form, name="resource_edit"),
    path("gestion/sites/nouveau/", views.site_form, name="site_create"),
    path("gestion/sites/<id:pk>/adresse/", views.site_form, name="site_edit"),
    path("gestion/sites/<id:pk>/", views.site_settings, name="site_settings"),
    path("gestion/fermetures/<id:pk>/supprimer/", views.closure_remove, name="closure_remove"),
    # Lobby screens and calendar feeds (secret addresses, no login)
    path("ecran/<str:token>/", views.lobby, name="lobby"),
    path("ical/ressource/<str:token>.ics", views.resource_feed, name="resource_feed"),
    path("ical/site/<str:token>.ics", views.site_feed, name="site_feed"),
    # Catering
    path("catering/articles/", views.catering_items, name="catering_items"),
    path(
        "catering/articles/<id:pk>/disponible/",
        views.catering_item_toggle,
        name="catering_item_toggle",
    ),
    path("catering/<id:site_id>/", views.catering_list, name="catering"),
    path("catering/<id:site_id>/liste.csv", views.catering_csv, name="catering_csv"),
    path("catering/<id:site_id>/liste.pdf", views.catering_pdf, name="catering_pdf"),
    # Loans
    path("prets/", views.loan_list, name="loans"),
    path("prets/nouveau/", views.loan_create, name="loan_create"),
    path("prets/rappels/", views.loan_reminders, name="loan_reminders"),
    path("prets/<id:pk>/retour/", views.loan_return, name="loan_return"),
    path("prets/<id:pk>/rappel/", views.loan_remind, name="loan_remind"),
    path("prets/materiel/<id:resource_id>/", views.loan_item_history, name="loan_item"),
    path("prets/personne/<id:user_id>/", views.loan_person_history, name="loan_person"),
    # Outreach
    path("animations/demande/", views.outreach_request, name="outreach_request"),
    path("animations/demande/activites/", views.outreach_activities, name="outreach_activities"),
    path("animations/mes-demandes/", views.outreach_mine, name="outreach_mine"),
    path("animations/file/", views.outreach_queue, name="outreach_queue"),
    path("animations/proposees/", views.outreach_activity_list, name="outreach_activity_list"),
    path("animations/<id:pk>/", views.outreach_detail, name="outreach_detail"),
    path("animations/<id:pk>/kit.txt", views.outreach_kit, name="outreach_kit"),
]


def _to_logistics(request: HttpRequest, rest: str) -> HttpResponsePermanentRedirect:
    """/logistique/<rest> → /logistique/<rest>; a decision on a request moved under demandes/."""
    parts = rest.split("/")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1] in {"approuver", "refuser", "annuler"}:
        rest = "demandes/" + rest
    target = "/logistique/" + rest
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target, status=308)


legacy_urlpatterns = [re_path(r"^(?P<rest>.*)$", _to_logistics, name="legacy")]
