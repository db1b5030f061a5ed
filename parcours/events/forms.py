"""Forms of the events pages: bounded at the edge; the actions check everything again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Site
from parcours.catalogue.models import Module
from parcours.events import actions
from parcours.events.models import MAX_WORKSHOPS_PER_VISITOR, Event, Track
from parcours.scheduling.models import Resource

MAX_GRID_SLOTS = 12


class EventForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    slug = forms.SlugField(
        label=_("Adresse courte"), max_length=80, help_text=_("Par exemple : salon-education-2026.")
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea
    )
    starts_on = forms.DateField(
        label=_("Premier jour"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Dernier jour"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"), queryset=Site.objects.none(), required=False
    )
    is_public = forms.BooleanField(label=_("Programme public"), required=False)
    allows_light_registration = forms.BooleanField(
        label=_("Inscription sans compte (nom et e-mail confirmé)"), required=False
    )
    max_workshops_per_visitor = forms.IntegerField(
        label=_("Ateliers par visiteur (maximum)"),
        min_value=1,
        max_value=MAX_WORKSHOPS_PER_VISITOR,
        required=False,
    )
    default_module = forms.ModelChoiceField(
        label=_("Module des ateliers à titre libre"), queryset=Module.objects.none(), required=False
    )

    def __init__(self, organisation: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = Site.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        self.fields["default_module"].queryset = Module.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).exclude(status=Module.Status.ARCHIVED)

    def data_(self) -> actions.EventData:
        data = self.cleaned_data
        return actions.EventData(
            title=data["title"],
            slug=data["slug"],
            description=data.get("description") or "",
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            site_ids=[s.pk for s in data.get("sites") or []],
            is_public=bool(data.get("is_public")),
            allows_light_registration=bool(data.get("allows_light_registration")),
            max_workshops_per_visitor=data.get("max_workshops_per_visitor"),
            default_module_id=data["default_module"].pk if data.get("default_module") else None,
        )


class TrackForm(forms.Form):
    name = forms.CharField(label=_("Nom de la piste"), max_length=100)
    room = forms.ModelChoiceField(
        label=_("Salle"), queryset=Resource.objects.none(), required=False
    )

    def __init__(self, event: Event, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "piste_%s")
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Resource.objects.filter(  # type: ignore[attr-defined]
            organisation_id=event.organisation_id, kind=Resource.Kind.ROOM, is_active=True
        )

    def room_id(self) -> int | None:
        room = self.cleaned_data.get("room")
        return room.pk if room else None


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV ou Excel (.xlsx)"))


class GridForm(forms.Form):
    """A grid: one day, time slots (one "09:00-10:00" per line) and, per slot x track, a title
    (empty: no workshop), an optional module code and the places."""

    day = forms.DateField(label=_("Jour"), widget=forms.DateInput(attrs={"type": "date"}))
    slots = forms.CharField(
        label=_("Créneaux"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_GRID_SLOTS * 20,
        help_text=_("Un créneau par ligne, p. ex. 09:00-10:00."),
    )
    capacity = forms.IntegerField(label=_("Places par atelier"), min_value=1, max_value=10_000)

    def __init__(self, event: Event, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "grille_%s")
        super().__init__(*args, **kwargs)
        self.event = event
        self.tracks: list[Track | None] = list(event.tracks.all())
        self.fields["day"].initial = event.starts_on

    def parsed_slots(self) -> list[tuple[str, str]]:
        slots = []
        for line in (self.data.get("slots") or "").splitlines()[:MAX_GRID_SLOTS]:
            start, _sep, end = line.strip().partition("-")
            if start.strip():
                slots.append((start.strip()[:5], end.strip()[:5]))
        return slots

    def cell_names(self) -> list[tuple[tuple[str, str], list[tuple[Any, str, str, str]]]]:
        """For the template: per slot, per track, the names of the title, module and places
        inputs and the value typed."""
        out = []
        for i, slot in enumerate(self.parsed_slots()):
            cells = []
            for track in self.tracks or [None]:  # no track: one column
                key = f"c-{i}-{track.pk if track else 0}"
                cells.append(
                    (
                        track,
                        key,
                        str(self.data.get(f"{key}-title", ""))[:200],
                        str(self.data.get(f"{key}-module", ""))[:40],
                    )
                )
            out.append((slot, cells))
        return out

    def rows(self) -> list[actions.WorkshopRow]:
        day: dt.date = self.cleaned_data["day"]
        capacity = str(self.cleaned_data["capacity"])
        rows = []
        line = 0
        for (start, end), cells in self.cell_names():
            for track, key, title, module in cells:
                line += 1
                if not title.strip():
                    continue
                rows.append(
                    actions.WorkshopRow(
                        line=line,
                        day=day.isoformat(),
                        start=start,
                        end=end,
                        track=track.name if track else "",
                        title=title,
                        module=module,
                        capacity=str(self.data.get(f"{key}-places", "") or capacity)[:6],
                    )
                )
        return rows


class VisitorForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)
