"""Forms of the webinar pages (bounds at the edge; the actions check again)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.webinars import actions
from parcours.webinars.models import MAX_SHOW_LINK_MINUTES, Provider, Replay
from parcours.webinars.report import KEYS


class WebinarForm(forms.Form):
    provider = forms.ChoiceField(label=_("Plateforme"), choices=Provider.choices)
    live_url = forms.URLField(
        label=_("Lien du direct"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Montré uniquement aux personnes inscrites (avec une place) et au personnel, "
            "peu avant le début."
        ),
    )
    show_link_minutes = forms.IntegerField(
        label=_("Lien visible … minutes avant le début"),
        min_value=0,
        max_value=MAX_SHOW_LINK_MINUTES,
        initial=15,
    )
    presence_percent = forms.IntegerField(
        label=_("Présence minimale (% de la durée)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Vide : la règle de l'organisation (75 % par défaut)."),
    )

    def data_object(self) -> actions.WebinarData:
        c = self.cleaned_data
        return actions.WebinarData(
            provider=c["provider"],
            live_url=c["live_url"],
            show_link_minutes=c["show_link_minutes"],
            presence_percent=c["presence_percent"],
        )


class PolicyForm(forms.Form):
    presence_percent = forms.IntegerField(
        label=_("Présence minimale (% de la durée d'un créneau)"), min_value=1, max_value=100
    )


class UploadForm(forms.Form):
    provider = forms.ChoiceField(label=_("Plateforme"), choices=Provider.choices)
    file = forms.FileField(
        label=_("Rapport de participation (CSV ou Excel)"),
        help_text=_(
            "Le fichier exporté par la plateforme : Teams (rapport de présence, UTF-16 accepté), "
            "Zoom, BigBlueButton… 5 Mo au plus. Rien n'est enregistré avant la confirmation."
        ),
    )


def key_labels() -> dict[str, Any]:
    return {
        "name": _("Nom"),
        "email": _("E-mail"),
        "join": _("Heure d'arrivée"),
        "leave": _("Heure de départ"),
        "duration": _("Durée"),
    }


class MappingForm(forms.Form):
    """Which column of the report holds what (choices: the report's own headers)."""

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— aucune —"))] + [(h, h) for h in header if h]
        for key, label in key_labels().items():
            self.fields[key] = forms.ChoiceField(label=label, choices=choices, required=False)

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if k in KEYS and v}


class ReplayForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    video_url = forms.URLField(
        label=_("Adresse de la vidéo"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "La page de la plateforme vidéo (lien), ou l'adresse d'un fichier .mp4 / .webm "
            "lu dans la page."
        ),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    theme = forms.CharField(label=_("Thème"), max_length=100, required=False)
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.none(), required=False
    )
    session = forms.ModelChoiceField(
        label=_("Session"), queryset=Session.objects.none(), required=False
    )
    duration_seconds = forms.IntegerField(
        label=_("Durée (secondes)"), min_value=1, max_value=24 * 3600, required=False
    )
    captions = forms.FileField(
        label=_("Sous-titres (fichier WebVTT .vtt)"),
        required=False,
        help_text=_("512 Ko au plus ; remplace les sous-titres actuels."),
    )
    transcript = forms.CharField(
        label=_("Transcription"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=200_000,
    )
    published = forms.BooleanField(label=_("Publiée dans la bibliothèque"), required=False)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        module_field = cast(forms.ModelChoiceField, self.fields["module"])
        session_field = cast(forms.ModelChoiceField, self.fields["session"])
        module_field.queryset = Module.objects.filter(organisation_id=organisation_id).order_by(
            "code"
        )
        session_field.queryset = (
            Session.objects.filter(organisation_id=organisation_id, webinar__isnull=False)
            .select_related("module")
            .order_by("-starts_at")
        )

    def data_object(self) -> actions.ReplayData:
        c = self.cleaned_data
        upload = c.get("captions")
        return actions.ReplayData(
            title=c["title"],
            video_url=c["video_url"],
            description=c["description"],
            theme=c["theme"],
            module_id=c["module"].pk if c["module"] else None,
            session_id=c["session"].pk if c["session"] else None,
            duration_seconds=c["duration_seconds"],
            transcript=c["transcript"],
            captions=upload.read(actions.MAX_VTT_BYTES + 1) if upload else None,
            published=c["published"],
        )

    @classmethod
    def initial_of(cls, replay: Replay) -> dict[str, Any]:
        return {
            "title": replay.title,
            "video_url": replay.video_url,
            "description": replay.description,
            "theme": replay.theme,
            "module": replay.module_id,
            "session": replay.session_id,
            "duration_seconds": replay.duration_seconds,
            "transcript": replay.transcript,
            "published": replay.published,
        }


class ViewingUploadForm(forms.Form):
    provider = forms.ChoiceField(
        label=_("Plateforme"), choices=Provider.choices, initial=Provider.YOUTUBE
    )
    file = forms.FileField(
        label=_("Statistiques de visionnage (CSV ou Excel)"),
        help_text=_(
            "Une ligne par vidéo (et par jour) : titre ou adresse de la vidéo, date, durée de "
            "visionnage en heures, minutes ou secondes. 5 Mo au plus."
        ),
    )
