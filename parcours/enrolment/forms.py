"""Forms for the pages. They only parse; the actions validate the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parcours.accounts.models import Organisation, Role, Site, User
from parcours.catalogue.models import Module
from parcours.enrolment import bounds
from parcours.enrolment import slots as slot_lines
from parcours.enrolment.actions import SessionData
from parcours.enrolment.models import LearnerProfile, Session
from parcours.scheduling.models import OutreachPupilCount, Resource

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def validate_year(value: dt.date | dt.datetime | None) -> None:
    if not bounds.year_ok(value):
        raise forms.ValidationError(
            _("Les dates doivent être comprises entre %(a)d et %(b)d."),
            params={"a": bounds.MIN_YEAR, "b": bounds.MAX_YEAR},
            code="year",
        )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


SLOTS_HELP = _(
    "Un créneau par ligne : « 10/03/2026 09:00-12:30 ». Une journée entière : "
    "« 10/03/2026 journée » (deux demi-journées 9:00-12:30 et 13:30-16:30). "
    "Aussi : matin, après-midi, soir (18:00-21:00)."
)


def _room_label(room: Resource) -> str:
    if room.kind == Resource.Kind.MOBILE_UNIT:
        return str(_("Unité mobile — %(name)s") % {"name": room.name})
    return f"{room.site.name} — {room.name}"


class SessionForm(forms.Form):
    module = forms.ModelChoiceField(queryset=Module.objects.none(), label=_("Module"))
    code = forms.CharField(label=_("Code de la session"), max_length=40)
    label = forms.CharField(label=_("Intitulé complémentaire"), max_length=200, required=False)
    slots = forms.CharField(
        label=_("Créneaux"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=SLOTS_HELP,
        max_length=20_000,
    )
    record_past = forms.BooleanField(
        label=_("Session passée : j'encode une session qui a déjà eu lieu"),
        required=False,
        help_text=_("Sans cette case, un créneau dans le passé est refusé."),
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), label=_("Site"), required=False, empty_label=_("En ligne")
    )
    room = forms.ModelChoiceField(
        queryset=Resource.objects.none(),
        label=_("Salle"),
        required=False,
        empty_label=_("Pas de salle à réserver"),
        help_text=_("Réservée pour chaque créneau (selon les règles de la logistique)."),
    )
    online_url = forms.URLField(
        label=_("Lien de la classe virtuelle"), required=False, assume_scheme="https"
    )
    access_notes = forms.CharField(
        label=_("Informations pratiques"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5_000,
        help_text=_("Salle, étage, matériel à apporter (s'ajoute aux indications du site)."),
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=bounds.MAX_CAPACITY)
    enrolment_opens = forms.DateTimeField(
        label=_("Ouverture des inscriptions"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL],
        validators=[validate_year],
    )
    enrolment_closes = forms.DateTimeField(
        label=_("Clôture des inscriptions"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL],
        help_text=_("Vide : jusqu'au début de la session."),
        validators=[validate_year],
    )
    cancellation_deadline_hours = forms.IntegerField(
        label=_("Délai d'annulation (heures avant le début)"),
        min_value=0,
        max_value=bounds.MAX_DEADLINE_HOURS,
        initial=48,
    )
    audience = forms.ChoiceField(
        label=_("Réservée au public"),
        choices=[("", _("Ouverte à tous")), *Module.Audience.choices],
        required=False,
    )
    requires_approval = forms.BooleanField(
        label=_("Les inscriptions doivent être approuvées"), required=False
    )
    trainers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Formateurs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["module"].queryset = Module.objects.filter(organisation=organisation).order_by(  # type: ignore[attr-defined]
            "code"
        )
        self.fields["site"].queryset = Site.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        self.fields["room"].queryset = (  # type: ignore[attr-defined]
            Resource.objects.filter(
                organisation=organisation, kind__in=Resource.SESSION_KINDS, is_active=True
            )
            .select_related("site")
            .order_by("kind", "site__name", "name")
        )
        self.fields["room"].label_from_instance = _room_label  # type: ignore[attr-defined]
        self.fields["trainers"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                memberships__organisation=organisation,
                memberships__role__in=[Role.TRAINER, Role.COORDINATOR],
            )
            .distinct()
            .order_by("last_name", "first_name")
        )

    def clean_slots(self) -> list[tuple[dt.datetime, dt.datetime]]:
        parsed, errors = slot_lines.parse_lines(self.cleaned_data["slots"])
        if errors:
            raise forms.ValidationError(
                [
                    _("Ligne %(line)d : %(message)s") % {"line": e.line, "message": e.message}
                    for e in errors
                ]
            )
        if not parsed:
            raise forms.ValidationError(_("Indiquez au moins un créneau."))
        return [s.aware() for s in parsed]

    def to_data(self) -> SessionData:
        c = self.cleaned_data
        return SessionData(
            module_id=c["module"].pk,
            code=c["code"],
            label=c["label"],
            capacity=c["capacity"],
            slots=c["slots"],
            site_id=c["site"].pk if c["site"] else None,
            room_id=c["room"].pk if c["room"] else None,
            online_url=c["online_url"],
            access_notes=c["access_notes"],
            enrolment_opens=c["enrolment_opens"],
            enrolment_closes=c["enrolment_closes"],
            cancellation_deadline_hours=c["cancellation_deadline_hours"],
            audience=c["audience"],
            requires_approval=c["requires_approval"],
            trainer_ids=[t.pk for t in c["trainers"]],
            allow_past=c["record_past"],
        )

    @staticmethod
    def initial_from(session: Session) -> dict[str, Any]:
        return {
            "module": session.module_id,
            "code": session.code,
            "label": session.label,
            "slots": slot_lines.format_lines(session.slots.values_list("start", "end")),
            "site": session.site_id,
            "room": session.room_id,
            "online_url": session.online_url,
            "access_notes": session.access_notes,
            "capacity": session.capacity,
            "enrolment_opens": session.enrolment_opens,
            "enrolment_closes": session.enrolment_closes,
            "cancellation_deadline_hours": session.cancellation_deadline_hours,
            "audience": session.audience,
            "requires_approval": session.requires_approval,
            "trainers": list(session.trainers.values_list("pk", flat=True)),
        }


class DuplicateForm(forms.Form):
    code = forms.CharField(label=_("Code de la nouvelle session"), max_length=40)
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        label=_("Site"),
        required=False,
        empty_label=_("Le même site"),
    )
    first_day = forms.DateField(
        label=_("Premier jour"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Vide : les mêmes dates. Les créneaux gardent leurs heures et leur écart."),
        validators=[validate_year],
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        starts_at: dt.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.starts_at = starts_at
        self.fields["site"].queryset = Site.objects.filter(organisation=organisation)  # type: ignore[attr-defined]

    def clean_first_day(self) -> dt.date | None:
        """A copy is scheduled from today on: a past first day, or the same dates as a session
        that has already started, is refused."""
        day: dt.date | None = self.cleaned_data["first_day"]
        today = timezone.localdate()
        if day is not None and day < today:
            raise forms.ValidationError(_("Choisissez un premier jour à venir."))
        if day is None and self.starts_at is not None and self.starts_at < timezone.now():
            raise forms.ValidationError(
                _("Cette session a déjà commencé : choisissez le premier jour de la copie.")
            )
        return day


class EnrolPersonForm(forms.Form):
    # Names are asked for everyone, known or not: the page must not tell who has an account.
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=pgettext_lazy("nom de famille", "Nom"), max_length=150)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou Excel"),
        help_text=_(
            "Colonnes : e-mail, prénom, nom (la première ligne est l'en-tête), 5 000 personnes "
            "et 2 Mo au plus. Tout ou rien : si une ligne est en erreur, rien n'est importé ; "
            "le rapport donne chaque ligne refusée et propose ensuite d'importer les lignes "
            "valides."
        ),
    )


class AudienceForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Je suis"),
        choices=[("", "—")] + [c for c in Module.Audience.choices if c[0] != "everyone"],
        required=False,
    )


class LearnerProfileForm(forms.Form):
    """The learner's own profile: every field optional (the reports count "non communiqué")."""

    audience = forms.ChoiceField(
        label=_("Je suis"),
        choices=[("", "—")] + [c for c in Module.Audience.choices if c[0] != "everyone"],
        required=False,
    )
    gender = forms.ChoiceField(
        label=_("Genre"), choices=[("", "—"), *LearnerProfile.Gender.choices], required=False
    )
    birth_year = forms.IntegerField(
        label=_("Année de naissance"), required=False, min_value=1900, max_value=2100
    )
    age_band = forms.ChoiceField(
        label=_("Ou votre tranche d'âge"),
        choices=[("", "—"), *LearnerProfile.AgeBand.choices],
        required=False,
    )
    school_year = forms.ChoiceField(
        label=_("Année scolaire (si vous êtes élève)"),
        choices=[("", "—"), *OutreachPupilCount.Grade.choices],
        required=False,
    )


WEEKDAY_CHOICES = [
    (0, _("Lundi")),
    (1, _("Mardi")),
    (2, _("Mercredi")),
    (3, _("Jeudi")),
    (4, _("Vendredi")),
    (5, _("Samedi")),
    (6, _("Dimanche")),
]
MAX_KEEP = 400


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class PatternSessionForm(SessionForm):
    """A long session from a weekly pattern: the session's fields without the slot lines, the
    pattern (dates, weekdays, a morning and an optional afternoon), and after the preview the
    dates ticked to keep."""

    first = forms.DateField(
        label=_("Premier jour"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last = forms.DateField(
        label=_("Dernier jour"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours de la semaine"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    morning_start = forms.TimeField(label=_("Début (matin)"), widget=TimeInput())
    morning_end = forms.TimeField(label=_("Fin (matin)"), widget=TimeInput())
    afternoon_start = forms.TimeField(
        label=_("Début (après-midi)"), widget=TimeInput(), required=False
    )
    afternoon_end = forms.TimeField(label=_("Fin (après-midi)"), widget=TimeInput(), required=False)
    skip_school_holidays = forms.BooleanField(
        label=_("Sauter aussi les congés scolaires du site"), required=False
    )
    keep = forms.CharField(
        label=_("Dates retenues"), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        del self.fields["slots"]
        for name in ("first", "last"):
            self.fields[name].validators.append(validate_year)

    def clean_keep(self) -> list[dt.date] | None:
        values = self.data.getlist("keep") if hasattr(self.data, "getlist") else []
        if not self.data.get("previewed"):
            return None
        if len(values) > MAX_KEEP:
            raise forms.ValidationError(_("Trop de dates."))
        out: list[dt.date] = []
        for value in values:
            try:
                out.append(dt.date.fromisoformat(value[:10]))
            except ValueError:
                raise forms.ValidationError(_("Date invalide.")) from None
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("afternoon_start"), data.get("afternoon_end")
        if bool(a) != bool(b):
            self.add_error(
                "afternoon_end",
                _("Indiquez le début et la fin de l'après-midi, ou aucun des deux."),
            )
        return data

    def pattern(self) -> Any:
        from parcours.enrolment.pattern import WeeklyPattern

        c = self.cleaned_data
        ranges = [(c["morning_start"], c["morning_end"])]
        if c.get("afternoon_start") and c.get("afternoon_end"):
            ranges.append((c["afternoon_start"], c["afternoon_end"]))
        return WeeklyPattern(
            first=c["first"],
            last=c["last"],
            weekdays=frozenset(c["weekdays"]),
            ranges=tuple(ranges),
        )

    def signature(self) -> str:
        """What the preview was made of: ticked dates only count for the same pattern."""
        c = self.cleaned_data
        parts = [
            c["first"].isoformat(),
            c["last"].isoformat(),
            ",".join(str(d) for d in sorted(c["weekdays"])),
            *(f"{a:%H%M}-{b:%H%M}" for a, b in self.pattern().ranges),
            str(c["site"].pk if c.get("site") else ""),
            "s" if c.get("skip_school_holidays") else "",
        ]
        return "|".join(parts)

    def to_data(self) -> SessionData:
        self.cleaned_data["slots"] = []
        return super().to_data()
