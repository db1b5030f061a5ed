from __future__ import annotations

from django.urls import path, register_converter

from parcours.candidates import views
from parcours.lib.ids import parse_id


class BoundedId:
    """``<cid:pk>``: a positive 64-bit id (lib.ids); anything else is not found (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(BoundedId, "cid")

app_name = "candidates"

urlpatterns = [
    path("gestion/", views.call_list, name="call_list"),
    path("gestion/nouvel-appel/", views.call_create, name="call_create"),
    path("gestion/<cid:pk>/", views.board, name="board"),
    path("gestion/<cid:pk>/liste/", views.application_list, name="list"),
    path("gestion/<cid:pk>/etapes/", views.stages, name="stages"),
    path("gestion/<cid:pk>/deplacer/", views.move, name="move"),
    path("gestion/<cid:pk>/inviter/", views.invite, name="invite"),
    path("gestion/<cid:pk>/decider/", views.decide, name="decide"),
    path("gestion/<cid:pk>/relancer/", views.reapply, name="reapply"),
    path("gestion/<cid:pk>/entonnoir/", views.funnel_page, name="funnel"),
    path("gestion/<cid:pk>/entonnoir.csv", views.funnel_csv, name="funnel_csv"),
    path("gestion/<cid:pk>/fichiers/<cid:file_id>/", views.download_file, name="file"),
    path("gestion/<cid:pk>/candidats/<cid:application_id>/", views.candidate, name="candidate"),
    path("gestion/<cid:pk>/candidats/<cid:application_id>/note/", views.score, name="score"),
    path(
        "gestion/<cid:pk>/candidats/<cid:application_id>/entretien/",
        views.interview,
        name="interview",
    ),
    path("gestion/<cid:pk>/candidats/<cid:application_id>/orienter/", views.refer, name="refer"),
    path("<slug:org_slug>/<slug:call_slug>/", views.apply, name="apply"),
    path("<slug:org_slug>/<slug:call_slug>/merci/", views.thanks, name="thanks"),
]
