from __future__ import annotations

import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from config.api import api
from parcours.accounts import views as account_views
from parcours.scheduling import urls as scheduling_urls

# The admin logs in through the front door (rate limits, MFA), not through its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="catalogue:public_list"), name="home"),
    path("catalogue/", include("parcours.catalogue.urls")),
    path("parcours/", include("parcours.pathways.urls")),
    path("sessions/", include("parcours.enrolment.urls")),
    path("logistique/", include("parcours.scheduling.urls")),
    # The former second door of logistics: old addresses redirect to /logistique/.
    path("reservations/", include((scheduling_urls.legacy_urlpatterns, "scheduling_legacy"))),
    path("badges/", include("parcours.credentials.urls")),
    path("", include("parcours.documents.urls")),  # /attestations/…, /agenda/…
    path("compte/", include("parcours.accounts.urls")),
    path("mes-donnees/", include("parcours.privacy.urls")),
    path("rapports/", include("parcours.reporting.urls")),
    path("orientation/", include("parcours.orientation.class_urls")),  # before the explorer
    path("orientation/", include("parcours.orientation.urls")),
    path("candidatures/", include("parcours.candidates.urls")),
    path("suivi/", include("parcours.careers.urls")),
    path("evaluations/", include("parcours.assessments.urls")),
    path("portfolio/", include("parcours.portfolio.urls")),
    path("planification/", include("parcours.timetabling.urls")),
    path("integrations/", include("parcours.integrations.urls")),
    path("evenements/", include("parcours.events.urls")),
    path("webinaires/", include("parcours.webinars.urls")),
    # django-allauth: sign-up, e-mail confirmation, password reset and change, e-mail change,
    # second factors (/compte/2fa/…), signed-in sessions (/compte/sessions/). The login and
    # logout pages are accounts:login and accounts:logout (the same views, French paths).
    path("compte/", include("allauth.urls")),
    # The language switch also stores the choice on the signed-in person's profile.
    path("i18n/setlang/", account_views.switch_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.DEMO:  # the demo runs with DEBUG off (branded error pages); static() needs DEBUG
    urlpatterns += [
        re_path(
            r"^" + re.escape(settings.MEDIA_URL.lstrip("/")) + r"(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
