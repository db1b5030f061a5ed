"""URLs of the games, the quiz and class mode, under /orientation/ (included before the
explorer's URLs in config/urls.py: these paths are literal words, tried first)."""

from __future__ import annotations

from django.urls import path

from parcours.orientation import class_views as views

app_name = "orientation_play"

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("classe/", views.join, name="join"),
    path("classe/reponses/", views.pupil_answers, name="pupil_answers"),
    path("classe/<str:code>/", views.pupil_home, name="pupil_home"),
    path("classe/<str:code>/quiz/", views.pupil_quiz, name="pupil_quiz"),
    path("classe/<str:code>/jeu/<slug:world_slug>/", views.pupil_game, name="pupil_game"),
    path("classe/<str:code>/metier/<slug:slug>/", views.pupil_sheet, name="pupil_sheet"),
    path("animateur/", views.facilitator_list, name="facilitator_list"),
    path("animateur/jeux/", views.games_manage, name="games_manage"),
    path(
        "animateur/jeux/questions/<str:pk>/retirer/",
        views.game_item_delete,
        name="game_item_delete",
    ),
    path(
        "animateur/jeux/quiz/<str:pk>/retirer/",
        views.quiz_statement_delete,
        name="quiz_statement_delete",
    ),
    path("animateur/<str:visit_id>/", views.facilitator_visit, name="facilitator_visit"),
    path("animateur/<str:visit_id>/direct/", views.facilitator_live, name="facilitator_live"),
    path("animateur/<str:visit_id>/terminer/", views.facilitator_close, name="facilitator_close"),
    path("animateur/<str:visit_id>/kit.pdf", views.facilitator_kit, name="facilitator_kit"),
    path(
        "animateur/<str:visit_id>/kit/envoyer/",
        views.facilitator_send_kit,
        name="facilitator_send_kit",
    ),
    path("<slug:org_slug>/jeu/<slug:world_slug>/", views.game, name="game"),
    path("<slug:org_slug>/quiz/", views.quiz, name="quiz"),
    path("<slug:org_slug>/quiz/retrouver/", views.quiz_reopen, name="quiz_reopen"),
    path("<slug:org_slug>/quiz/<str:code>/", views.quiz_result, name="quiz_result"),
]
