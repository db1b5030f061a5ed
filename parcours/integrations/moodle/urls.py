"""Moodle pages, included under ``/integrations/moodle/`` (namespace ``integrations:moodle``)."""

from __future__ import annotations

from django.urls import path

from parcours.integrations.moodle import views

app_name = "moodle"

urlpatterns = [
    path("", views.home, name="home"),
    path("sites/nouveau/", views.site_add, name="site_add"),
    path("sites/<id:pk>/", views.site_edit, name="site_edit"),
    path("sites/<id:pk>/tester/", views.site_test, name="site_test"),
    path("sites/<id:pk>/activation/", views.site_toggle, name="site_toggle"),
    path("sites/<id:pk>/supprimer/", views.site_delete, name="site_delete"),
    path("modules/<id:pk>/", views.module_link, name="module_link"),
    path("modules/<id:pk>/delier/", views.module_unlink, name="module_unlink"),
    path("synchroniser/", views.sync_now, name="sync_now"),
    path("journal/<id:pk>/", views.run_detail, name="run"),
    path("utilisateurs/lier/", views.user_link, name="user_link"),
]
