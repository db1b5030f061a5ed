from __future__ import annotations

from django.urls import path

from parcours.integrations.xapi import views

app_name = "xapi"

urlpatterns = [
    path("", views.home, name="home"),
    path("tester/", views.check, name="check"),
    path("relancer/", views.retry, name="retry"),
    path("envoyer/", views.send_now, name="send_now"),
]
