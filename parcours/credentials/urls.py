from __future__ import annotations

from django.urls import path

from parcours.credentials import views

app_name = "credentials"

urlpatterns = [
    # Learner
    path("", views.my_badges, name="my_badges"),
    path("<uuid:uuid>/", views.badge_detail, name="badge_detail"),
    path("<uuid:uuid>/badge.json", views.download_json, name="download_json"),
    path("<uuid:uuid>/portefeuille.json", views.download_wallet, name="download_wallet"),
    path("<uuid:uuid>/badge.png", views.download_png, name="download_png"),
    path("<uuid:uuid>/badge.svg", views.download_svg, name="download_svg"),
    path("<uuid:uuid>/certificat.pdf", views.download_pdf, name="download_pdf"),
    path("<uuid:uuid>/partage/", views.toggle_share, name="toggle_share"),
    path("public/<str:token>/", views.public_share, name="public_share"),
    # Verification (no login)
    path("verifier/", views.verify, name="verify"),
    path("verifier/<uuid:uuid>/", views.verify_stored, name="verify_stored"),
    # Documents verifiers fetch
    path("issuers/<slug:slug>/", views.issuer_profile, name="issuer_profile"),
    path("issuers/<slug:slug>/did.json", views.issuer_did, name="issuer_did"),
    path("issuers/<slug:slug>/status/<id:number>", views.status_list, name="status_list"),
    path("achievements/<uuid:uuid>/", views.achievement_json, name="achievement_json"),
    path("achievements/<uuid:uuid>/image.png", views.achievement_image, name="achievement_image"),
    path("ob2/issuers/<slug:slug>", views.ob2_issuer, name="ob2_issuer"),
    path("ob2/badges/<uuid:uuid>", views.ob2_badgeclass, name="ob2_badgeclass"),
    path("ob2/assertions/<uuid:uuid>", views.ob2_assertion, name="ob2_assertion"),
    # Coordinator
    path("gestion/", views.manage_list, name="manage_list"),
    path("gestion/nouveau/", views.manage_create, name="manage_create"),
    path("gestion/emetteur/", views.manage_issuer, name="manage_issuer"),
    path("gestion/emetteur/nouvelle-cle/", views.manage_rotate, name="manage_rotate"),
    path("gestion/<id:pk>/", views.manage_detail, name="manage_detail"),
    path("gestion/<id:pk>/modifier/", views.manage_edit, name="manage_edit"),
    path("gestion/<id:pk>/statut/", views.manage_status, name="manage_status"),
    path("gestion/<id:pk>/delivrer/", views.manage_issue_one, name="manage_issue_one"),
    path("gestion/<id:pk>/emission-groupee/", views.manage_bulk, name="manage_bulk"),
    path("gestion/lots/<uuid:uuid>/", views.batch_detail, name="batch_detail"),
    path("gestion/lots/<uuid:uuid>/progression/", views.batch_progress, name="batch_progress"),
    path("gestion/lots/<uuid:uuid>/reprendre/", views.batch_resume, name="batch_resume"),
    path("gestion/delivres/<uuid:uuid>/revoquer/", views.manage_revoke, name="manage_revoke"),
]
