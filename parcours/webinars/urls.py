from __future__ import annotations

from django.urls import path

from parcours.webinars import views

app_name = "webinars"

urlpatterns = [
    path("", views.webinar_list, name="list"),
    path("regle/", views.policy, name="policy"),
    path("sessions/<id:session_id>/", views.session_webinar, name="session"),
    path("sessions/<id:session_id>/rejoindre/", views.join, name="join"),
    path("<id:pk>/rapport/", views.report_upload, name="report_upload"),
    path("<id:pk>/rapport/<id:upload_id>/", views.report_preview, name="report_preview"),
    path("<id:pk>/presences/", views.attendance, name="attendance"),
    path("rediffusions/gestion/", views.replay_manage, name="replay_manage"),
    path("rediffusions/gestion/nouvelle/", views.replay_edit, name="replay_new"),
    path("rediffusions/gestion/statistiques/", views.viewing_import, name="viewing_import"),
    path("rediffusions/gestion/<id:pk>/", views.replay_edit, name="replay_edit"),
    path("rediffusions/<slug:org_slug>/", views.library, name="library"),
    path("rediffusions/<slug:org_slug>/<id:pk>/", views.replay_detail, name="replay"),
    path(
        "rediffusions/<slug:org_slug>/<id:pk>/sous-titres.vtt",
        views.replay_captions,
        name="captions",
    ),
    path("rediffusions/<slug:org_slug>/<id:pk>/vu/", views.replay_beat, name="beat"),
]
