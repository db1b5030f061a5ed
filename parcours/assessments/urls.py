from __future__ import annotations

from django.urls import path

from parcours.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.my_projects, name="mine"),
    path("modules/<id:pk>/", views.module_projects, name="module"),
    path("modules/<id:pk>/criteres/", views.criteria, name="criteria"),
    path("projets/<id:pk>/fichier/", views.download, name="download"),
    path("projets/<id:pk>/preuve/", views.evidence_consent, name="consent"),
    path("a-revoir/", views.review_queue, name="queue"),
    path("a-revoir/<id:pk>/", views.review, name="review"),
    path("sessions/<id:pk>/", views.session_grid, name="grid"),
    path("sessions/<id:pk>/projets/<id:submission_pk>/", views.grid_review, name="grid_review"),
    path("acquis/", views.prior_learning, name="prior_learning"),
    path("acquis/<id:pk>/retirer/", views.withdraw, name="withdraw"),
    path("preuves/<uuid:uuid>/", views.evidence, name="evidence"),
    path("preuves/<uuid:uuid>/fichier/", views.evidence_file, name="evidence_file"),
]
