from __future__ import annotations

from django.urls import path

from parcours.candidates import views

app_name = "candidates"

urlpatterns = [
    path("gestion/", views.call_list, name="call_list"),
    path("gestion/nouvel-appel/", views.call_create, name="call_create"),
    path("gestion/<id:pk>/", views.board, name="board"),
    path("gestion/<id:pk>/liste/", views.application_list, name="list"),
    path("gestion/<id:pk>/etapes/", views.stages, name="stages"),
    path("gestion/<id:pk>/deplacer/", views.move, name="move"),
    path("gestion/<id:pk>/inviter/", views.invite, name="invite"),
    path("gestion/<id:pk>/decider/", views.decide, name="decide"),
    path("gestion/<id:pk>/relancer/", views.reapply, name="reapply"),
    path("gestion/<id:pk>/entonnoir/", views.funnel_page, name="funnel"),
    path("gestion/<id:pk>/entonnoir.csv", views.funnel_csv, name="funnel_csv"),
    path("gestion/<id:pk>/fichiers/<id:file_id>/", views.download_file, name="file"),
    path("gestion/<id:pk>/candidats/<id:application_id>/", views.candidate, name="candidate"),
    path("gestion/<id:pk>/candidats/<id:application_id>/note/", views.score, name="score"),
    path(
        "gestion/<id:pk>/candidats/<id:application_id>/entretien/",
        views.interview,
        name="interview",
    ),
    path("gestion/<id:pk>/candidats/<id:application_id>/orienter/", views.refer, name="refer"),
    path("<slug:org_slug>/<slug:call_slug>/", views.apply, name="apply"),
    path("<slug:org_slug>/<slug:call_slug>/merci/", views.thanks, name="thanks"),
]
