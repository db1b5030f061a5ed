from __future__ import annotations

from django.urls import path

from parcours.careers import views

app_name = "careers"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("dossiers/<id:pk>/", views.file_detail, name="file"),
    path("dossiers/<id:pk>/suivis/", views.followup_add, name="followup_add"),
    path("dossiers/<id:pk>/situation/", views.outcome_record, name="outcome"),
    path("dossiers/<id:pk>/dates/", views.training_dates, name="training_dates"),
    path("dossiers/<id:pk>/enquete/", views.survey_send, name="survey_send"),
    path("suivis/<id:pk>/fait/", views.followup_done, name="followup_done"),
    path("sessions/", views.assign_pick, name="assign_pick"),
    path("sessions/<id:pk>/", views.assign_session, name="assign_session"),
    path("candidatures/<id:pk>/", views.assign_application, name="assign_application"),
    path("enquete/<str:token>/", views.survey, name="survey"),
]
