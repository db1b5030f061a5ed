"""Forms for the scheduling pages. They parse; the actions validate the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Site
from parcours.scheduling import core, planning
from parcours.scheduling.bounds import DATE_VALIDATORS, MAX_COUNT, MAX_DATE, MIN_DATE
from parcours.scheduling.models import (
    CateringItem,
    ClosurePeriod,
    Feature,
    OpeningHours,
    OutreachActivity,
    OutreachPupilCount,
    Resource,
    SitePolicy,
)


class BoundedDateField(forms.DateField):
    """A date between 2000 and 2100 (issue #9: year 1 or 9999 overflowed the date arithmetic)."""

    default_validators = list(DATE_VALIDATORS)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()})
        return attrs


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class ResourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        cap = f" — {obj.capacity} pers." if obj.capacity else ""
        return f"{obj.site.name} · {obj.name}{cap}"


class BookingRequestForm(forms.Form):
    resource = ResourceChoiceField(queryset=Resource.objects.none(), label=_("Ressource"))
    day = BoundedDateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Heure de début"), widget=TIME)
    end_time = forms.TimeField(label=_("Heure de fin"), widget=TIME)
    title = forms.CharField(label=_("Objet"), max_length=200)
    participants = forms.IntegerField(
        max_value=MAX_COUNT, label=_("Participants"), min_value=1, required=False
    )
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        resources: QuerySet[Resource],
        catering_items: list[CateringItem] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resource"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = resources.select_related("site").order_by("site__name", "name")
        self.catering_items = catering_items or []
        for item in self.catering_items:
            self.fields[f"catering_{item.pk}"] = forms.IntegerField(
                max_value=MAX_COUNT, label=item.label, min_value=0, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("La fin doit être après le début."))
        return data

    def catering_fields(self) -> list[forms.BoundField]:
        return [self[f"catering_{item.pk}"] for item in self.catering_items]

    def catering_counts(self) -> dict[int, int]:
        return {
            item.pk: self.cleaned_data.get(f"catering_{item.pk}") or 0
            for item in self.catering_items
            if self.cleaned_data.get(f"catering_{item.pk}")
        }


class AvailabilityForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), label=_("Site"), required=False, empty_label=_("Partout")
    )
    day = BoundedDateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Heure de début"), widget=TIME, initial=dt.time(9, 0))
    end_time = forms.TimeField(label=_("Heure de fin"), widget=TIME, initial=dt.time(16, 30))
    capacity = forms.IntegerField(
        max_value=MAX_COUNT, label=_("Personnes"), min_value=1, required=False
    )
    features = forms.ModelMultipleChoiceField(
        queryset=Feature.objects.all(),
        label=_("Équipements"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="slug",
    )
    accessible = forms.BooleanField(label=_("Accessible en fauteuil roulant"), required=False)

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = sites

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("La fin doit être après le début."))
        return data


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = [
            "site",
            "kind",
            "name",
            "code",
            "capacity",
            "features",
            "accessible",
            "location",
            "inventory_number",
            "description",
            "requires_approval",
            "setup_minutes",
            "cleanup_minutes",
            "is_active",
        ]
        widgets = {
            "features": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = sites


class OpeningHoursForm(forms.Form):
    """One pair of times per weekday; both empty = closed that day."""

    def __init__(self, *args: Any, current: dict[int, OpeningHours], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in OpeningHours.Weekday.choices:
            oh = current.get(day)
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("%(day)s : ouverture") % {"day": label},
                required=False,
                widget=TIME,
                initial=oh.opens if oh else None,
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("%(day)s : fermeture") % {"day": label},
                required=False,
                widget=TIME,
                initial=oh.closes if oh else None,
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"opens_{day}"], self[f"closes_{day}"])
            for day, label in OpeningHours.Weekday.choices
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day, _label in OpeningHours.Weekday.choices:
            opens, closes = data.get(f"opens_{day}"), data.get(f"closes_{day}")
            if bool(opens) != bool(closes):
                self.add_error(f"closes_{day}", _("Indiquez l'ouverture et la fermeture."))
            elif opens and closes and closes <= opens:
                self.add_error(f"closes_{day}", _("La fermeture doit suivre l'ouverture."))
        return data

    def hours(self) -> dict[int, tuple[dt.time, dt.time] | None]:
        out: dict[int, tuple[dt.time, dt.time] | None] = {}
        for day, _label in OpeningHours.Weekday.choices:
            opens = self.cleaned_data.get(f"opens_{day}")
            closes = self.cleaned_data.get(f"closes_{day}")
            out[day] = (opens, closes) if opens and closes else None
        return out


class ClosureForm(forms.ModelForm):
    class Meta:
        model = ClosurePeriod
        fields = ["kind", "start", "end", "reason"]
        widgets = {"start": DATE, "end": DATE}


class SitePolicyForm(forms.ModelForm):
    class Meta:
        model = SitePolicy
        fields = [
            "accepts_external_requests",
            "catering_cutoff_days",
            "catering_cutoff_time",
            "wifi_name",
            "wifi_password",
            "lobby_message",
        ]
        widgets = {"catering_cutoff_time": TIME}


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
# Year groups a school can bring: the truck's (last two primary years, first secondary degree)
# and the domes' (upper secondary). Counts only, never names.
PRIMARY_GRADES = ("P5", "P6")
SECONDARY_GRADES = ("S1", "S2", "S3", "S4", "S5", "S6", "S7")


class DayForm(forms.Form):
    date = BoundedDateField(label=_("Date"), required=False, widget=DATE_INPUT)


class _TimesMixin(forms.Form):
    day = BoundedDateField(label=_("Jour"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Début"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("Fin"), widget=TIME_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("La fin doit être après le début."))
        return data

    @property
    def start(self) -> dt.datetime:
        return core.local_datetime(
            self.cleaned_data["day"], self.cleaned_data["start_time"], planning.TZ
        )

    @property
    def end(self) -> dt.datetime:
        return core.local_datetime(
            self.cleaned_data["day"], self.cleaned_data["end_time"], planning.TZ
        )


class BookingForm(_TimesMixin):
    """Create a booking from a free cell of the grid (resource and times pre-filled)."""

    resource = forms.ModelChoiceField(label=_("Ressource"), queryset=Resource.objects.none())
    title = forms.CharField(label=_("Objet"), max_length=200)
    participants = forms.IntegerField(
        max_value=MAX_COUNT, label=_("Participants"), min_value=1, required=False
    )
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    serve_at = forms.TimeField(
        label=_("Catering servi à"),
        required=False,
        widget=TIME_INPUT,
        help_text=_("Laissez vide pour servir au début de la réservation."),
    )
    hide_from_lobby = forms.BooleanField(
        label=_("Ne pas afficher sur l'écran d'accueil"),
        required=False,
        help_text=_(
            "Réunion confidentielle, installation interne : la salle y apparaît « Occupée »."
        ),
    )

    field_order = ["resource", "title", "day", "start_time", "end_time", "participants"]

    def __init__(
        self,
        *args: Any,
        resources: Iterable[Resource],
        catering_items: Iterable[CateringItem] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        pool = list(resources)
        self.fields["resource"].queryset = Resource.objects.filter(pk__in=[r.pk for r in pool])  # type: ignore[attr-defined]
        self.catering_items = list(catering_items)
        for item in self.catering_items:
            self.fields[f"catering_{item.pk}"] = forms.IntegerField(
                max_value=MAX_COUNT, label=item.label, min_value=0, required=False
            )

    def catering_fields(self) -> list[forms.BoundField]:
        return [self[f"catering_{item.pk}"] for item in self.catering_items]

    def catering_lines(self) -> list[tuple[CateringItem, int]]:
        out = []
        for item in self.catering_items:
            count = self.cleaned_data.get(f"catering_{item.pk}") or 0
            if count > 0:
                out.append((item, count))
        return out


class MoveForm(_TimesMixin):
    """Move or resize a booking: new resource, day, start, end."""

    resource = forms.ModelChoiceField(label=_("Ressource"), queryset=Resource.objects.none())

    field_order = ["resource", "day", "start_time", "end_time"]

    def __init__(self, *args: Any, resources: Iterable[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(  # type: ignore[attr-defined]
            pk__in=[r.pk for r in resources]
        )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Le demandeur le lira dans l'e-mail de réponse."),
    )


class LobbyVisibilityForm(forms.Form):
    hidden = forms.BooleanField(required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=1000, required=False)


class LoanForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Matériel"), queryset=Resource.objects.none())
    borrower_email = forms.EmailField(label=_("E-mail de l'emprunteur"))
    borrower_first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        required=False,
        help_text=_("Seulement si la personne n'a pas encore de compte."),
    )
    borrower_last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        required=False,
        help_text=_("Seulement si la personne n'a pas encore de compte."),
    )
    start = BoundedDateField(label=_("Prêté le"), widget=DATE_INPUT)
    due = BoundedDateField(label=_("À rendre le"), widget=DATE_INPUT)
    condition_out = forms.CharField(label=_("État au départ"), max_length=300, required=False)

    def __init__(self, *args: Any, items: Iterable[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(  # type: ignore[attr-defined]
            pk__in=[r.pk for r in items]
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start"), data.get("due")
        if start and due and due < start:
            self.add_error("due", _("La date de retour doit suivre la date du prêt."))
        return data


class ReturnForm(forms.Form):
    condition_in = forms.CharField(
        label=_("État au retour"),
        max_length=300,
        required=False,
        help_text=_("Par exemple : chargeur manquant, écran rayé, en bon état."),
    )


class OutreachForm(forms.Form):
    """A school asks for the truck or a dome: activity, dates, pupil counts per year group."""

    unit = forms.ModelChoiceField(label=_("Unité mobile"), queryset=Resource.objects.none())
    activity = forms.ModelChoiceField(
        label=_("Animation"), queryset=OutreachActivity.objects.none()
    )
    first_day = BoundedDateField(label=_("Premier jour"), widget=DATE_INPUT)
    last_day = BoundedDateField(label=_("Dernier jour"), widget=DATE_INPUT)
    school_name = forms.CharField(label=_("École"), max_length=200)
    school_street = forms.CharField(label=_("Rue et numéro"), max_length=200, required=False)
    school_postcode = forms.CharField(label=_("Code postal"), max_length=10, required=False)
    school_city = forms.CharField(label=_("Localité"), max_length=100)
    contact_name = forms.CharField(label=_("Personne de contact"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("E-mail de contact"), required=False)
    contact_phone = forms.CharField(label=_("Téléphone"), max_length=40, required=False)
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        units: Iterable[Resource],
        activities: Iterable[OutreachActivity],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = list(units)
        self.activities = list(activities)
        self.fields["unit"].queryset = Resource.objects.filter(  # type: ignore[attr-defined]
            pk__in=[u.pk for u in self.units]
        )
        self.fields["activity"].queryset = OutreachActivity.objects.filter(  # type: ignore[attr-defined]
            pk__in=[a.pk for a in self.activities]
        )
        labels = dict(OutreachPupilCount.Grade.choices)
        for grade in (*PRIMARY_GRADES, *SECONDARY_GRADES):
            self.fields[f"grade_{grade}"] = forms.IntegerField(
                label=labels[grade], min_value=0, max_value=999, required=False
            )

    def activity_groups(self, unit_id: int | None = None) -> list[tuple[Resource, list[Any]]]:
        """Activities grouped by unit (only the chosen unit's when one is given)."""
        return [
            (u, [a for a in self.activities if a.unit_id == u.pk])
            for u in self.units
            if unit_id is None or u.pk == unit_id
        ]

    def grade_fields(self, grades: Iterable[str]) -> list[forms.BoundField]:
        return [self[f"grade_{g}"] for g in grades]

    def primary_fields(self) -> list[forms.BoundField]:
        return self.grade_fields(PRIMARY_GRADES)

    def secondary_fields(self) -> list[forms.BoundField]:
        return self.grade_fields(SECONDARY_GRADES)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, activity = data.get("unit"), data.get("activity")
        if unit and activity and activity.unit_id != unit.pk:
            self.add_error("activity", _("Cette animation n'est pas proposée par cette unité."))
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("Le dernier jour doit suivre le premier."))
        if not any(data.get(f"grade_{g}") for g in (*PRIMARY_GRADES, *SECONDARY_GRADES)):
            raise forms.ValidationError(_("Indiquez le nombre d'élèves d'au moins une année."))
        return data

    def pupil_counts(self) -> dict[str, int]:
        return {
            g: int(self.cleaned_data.get(f"grade_{g}") or 0)
            for g in (*PRIMARY_GRADES, *SECONDARY_GRADES)
            if self.cleaned_data.get(f"grade_{g}")
        }


class SiteForm(forms.Form):
    """A site's name and address (its rooms, hours, Wi-Fi and screen are set on their pages)."""

    name = forms.CharField(label=_("Nom du site"), max_length=200)
    street = forms.CharField(label=_("Rue et numéro"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Code postal"), max_length=10, required=False)
    city = forms.CharField(label=_("Localité"), max_length=100)
    access_notes = forms.CharField(
        label=_("Comment s'y rendre"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Transports en commun, parking, entrée : une description sans carte."),
    )


class CateringItemForm(forms.Form):
    label_fr = forms.CharField(label=_("Article (français)"), max_length=100)
    label_en = forms.CharField(label=_("Article (anglais)"), max_length=100, required=False)


class CateringChangeForm(forms.Form):
    """The catering of an existing booking: how many of each item, and when it is served."""

    serve_at = forms.TimeField(
        label=_("Catering servi à"),
        required=False,
        widget=TIME_INPUT,
        help_text=_("Laissez vide pour servir au début de la réservation."),
    )

    def __init__(
        self, *args: Any, catering_items: Iterable[CateringItem] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.catering_items = list(catering_items)
        for item in self.catering_items:
            self.fields[f"catering_{item.pk}"] = forms.IntegerField(
                label=item.label, min_value=0, max_value=MAX_COUNT, required=False
            )

    def catering_fields(self) -> list[forms.BoundField]:
        return [self[f"catering_{item.pk}"] for item in self.catering_items]

    def catering_lines(self) -> list[tuple[CateringItem, int]]:
        return [
            (item, self.cleaned_data.get(f"catering_{item.pk}") or 0)
            for item in self.catering_items
            if self.cleaned_data.get(f"catering_{item.pk}")
        ]


WEEKDAY_CHOICES = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]


class SeriesForm(forms.Form):
    """A recurring booking: every chosen weekday (every n weeks) from one date until another."""

    resource = forms.ModelChoiceField(queryset=Resource.objects.none(), label=_("Ressource"))
    title = forms.CharField(label=_("Objet"), max_length=200)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours de la semaine"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(label=_("De"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("À"), widget=TIME_INPUT)
    first_date = BoundedDateField(label=_("À partir du"), widget=DATE_INPUT)
    until = BoundedDateField(label=_("Jusqu'au (inclus)"), widget=DATE_INPUT)
    interval_weeks = forms.IntegerField(
        label=_("Toutes les n semaines"), min_value=1, max_value=52, initial=1
    )
    participants = forms.IntegerField(
        label=_("Participants"), min_value=1, max_value=MAX_COUNT, required=False
    )
    skip_holidays = forms.BooleanField(
        label=_("Sauf pendant les congés scolaires"), required=False, initial=True
    )
    skip_conflicts = forms.BooleanField(
        label=_("Réserver les autres dates si certaines sont prises"), required=False
    )

    def __init__(self, *args: Any, resources: Iterable[Resource] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resource"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = Resource.objects.filter(pk__in=[r.pk for r in resources])


class OutreachActivityForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Resource.objects.none(), label=_("Unité mobile"))
    title_fr = forms.CharField(label=_("Titre (français)"), max_length=200)
    title_en = forms.CharField(label=_("Titre (anglais)"), max_length=200, required=False)
    audience = forms.CharField(
        label=_("Public"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : 5e primaire à 2e secondaire."),
    )
    max_pupils_per_day = forms.IntegerField(
        label=_("Élèves par jour (maximum)"), min_value=1, max_value=MAX_COUNT, required=False
    )
    description_fr = forms.CharField(
        label=_("Kit pédagogique (français)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    description_en = forms.CharField(
        label=_("Kit pédagogique (anglais)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, units: Iterable[Resource] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = Resource.objects.filter(pk__in=[u.pk for u in units])
