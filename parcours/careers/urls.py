from __future__ import annotations

from django.urls import path

from parcours.careers import views

app_name = "careers"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("dossiers/<int:pk>/", views.file_detail, name="file"),
    path("dossiers/<int:pk>/suivis/", views.followup_add, name="followup_add"),
    path("dossiers/<int:pk>/situation/", views.outcome_record, name="outcome"),
    path("dossiers/<int:pk>/dates/", views.training_dates, name="training_dates"),
    path("dossiers/<int:pk>/enquete/", views.survey_send, name="survey_send"),
    path("suivis/<int:pk>/fait/", views.followup_done, name="followup_done"),
    path("sessions/", views.assign_pick, name="assign_pick"),
    path("sessions/<int:pk>/", views.assign_session, name="assign_session"),
    path("candidatures/<int:pk>/", views.assign_application, name="assign_application"),
    path("enquete/<str:token>/", views.survey, name="survey"),
]
