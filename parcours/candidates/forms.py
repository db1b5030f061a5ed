"""Forms of the candidates pages: they parse; the actions validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.candidates.models import Call, Decision, Question, Stage
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session

MAX_PICKED = 2000


class ApplicationForm(forms.Form):
    """The public application form: identity, the call's questions, a CV, consent."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    cv = forms.FileField(
        label=_("CV"),
        required=False,
        help_text=_("PDF, DOCX, PNG ou JPEG ; 5 Mo au plus."),
    )
    reprise = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    def __init__(self, call: Call, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.call = call
        self.questions = list(call.questions.all())
        admitted = [a for a in call.audiences or [] if a]
        if admitted:
            labels = dict(Module.Audience.choices)
            self.fields["audience"] = forms.ChoiceField(
                label=_("Vous êtes"),
                choices=[("", "—"), *[(a, labels.get(a, a)) for a in admitted]],
                help_text=_("Cet appel est ouvert à ces publics seulement."),
            )
        for question in self.questions:
            self.fields[f"q{question.pk}"] = self._field(question)
        self.fields["consent"] = forms.BooleanField(
            label=_(
                "J'accepte que %(org)s traite ces données pour la sélection. Si je ne suis pas "
                "retenu·e, elles sont effacées %(days)s jours après la clôture de l'appel."
            )
            % {"org": call.organisation.name, "days": call.retention_days},
            required=True,
        )

    @staticmethod
    def _field(question: Question) -> forms.Field:
        label = question.label
        required = question.required
        kind = question.kind
        if kind == Question.Kind.CHOICE:
            return forms.ChoiceField(
                label=label,
                required=required,
                choices=[("", "—"), *[(c, c) for c in question.choices]],
            )
        if kind == Question.Kind.YES_NO:
            return forms.ChoiceField(
                label=label,
                required=required,
                choices=[("", "—"), ("oui", _("Oui")), ("non", _("Non"))],
            )
        if kind == Question.Kind.DATE:
            return forms.CharField(
                label=label,
                required=required,
                max_length=10,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        if kind == Question.Kind.NUMBER:
            return forms.CharField(
                label=label,
                required=required,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        if kind == Question.Kind.FILE:
            return forms.FileField(
                label=label,
                required=required,
                help_text=_("PDF, DOCX, PNG ou JPEG ; 5 Mo au plus."),
            )
        return forms.CharField(
            label=label,
            required=required,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def answers(self) -> dict[int, str]:
        return {
            q.pk: str(self.cleaned_data.get(f"q{q.pk}") or "")
            for q in self.questions
            if q.kind != Question.Kind.FILE
        }

    def uploads(self) -> dict[str, Any]:
        files: dict[str, Any] = {}
        if self.cleaned_data.get("cv"):
            files["cv"] = self.cleaned_data["cv"]
        for q in self.questions:
            if q.kind == Question.Kind.FILE and self.cleaned_data.get(f"q{q.pk}"):
                files[f"q{q.pk}"] = self.cleaned_data[f"q{q.pk}"]
        return files


def _ids(values: list[str]) -> list[int]:
    from parcours.lib.ids import parse_id

    ids = [parse_id(v) for v in values[: MAX_PICKED + 1]]
    if any(i is None for i in ids):
        raise forms.ValidationError(_("Sélection invalide."))
    if len(ids) > MAX_PICKED:
        raise forms.ValidationError(_("2 000 candidatures au plus à la fois."))
    return [i for i in ids if i is not None]


class PickForm(forms.Form):
    """Candidates picked on the board or in the list (``ids``). The list's bulk actions share
    one form, so no field carries the browser's ``required`` (the server says what is missing)."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.picked: list[int] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        if not values:
            raise forms.ValidationError(_("Choisissez au moins une candidature."))
        self.picked = _ids(values)
        return data


class MoveForm(PickForm):
    stage = forms.ModelChoiceField(label=_("Vers l'étape"), queryset=Stage.objects.none())

    def __init__(self, call: Call, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = call.stages.order_by("order")  # type: ignore[attr-defined]


class InviteForm(PickForm):
    session = forms.ModelChoiceField(label=_("Session"), queryset=Stage.objects.none())
    purpose = forms.ChoiceField(
        label=_("But de l'invitation"),
        choices=[
            (Stage.Milestone.INFORMATION, _("Séance d'information")),
            (Stage.Milestone.TESTS, _("Tests")),
        ],
    )

    def __init__(self, call: Call, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(  # type: ignore[attr-defined]
            organisation_id=call.organisation_id
        ).order_by("-starts_at")[:200]
        self.fields["session"].label_from_instance = lambda s: f"{s.code} — {s.title}"  # type: ignore[attr-defined]


class DecisionForm(PickForm):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (Decision.SELECTED, Decision.SELECTED.label),
            (Decision.WAITLISTED, Decision.WAITLISTED.label),
            (Decision.NOT_SELECTED, Decision.NOT_SELECTED.label),
        ],
    )
    subject = forms.CharField(label=_("Objet de l'e-mail"), max_length=200)
    body = forms.CharField(
        label=_("Texte de l'e-mail"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Remplacés pour chaque personne : {prenom}, {nom}, {appel}, {organisation}."),
    )


class MessageForm(PickForm):
    subject = forms.CharField(label=_("Objet de l'e-mail"), max_length=200)
    body = forms.CharField(
        label=_("Texte de l'e-mail"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )


class ScoreForm(forms.Form):
    test = forms.CharField(label=_("Test"), max_length=100)
    score = forms.DecimalField(label=_("Note"), min_value=0, max_value=1000, decimal_places=2)
    out_of = forms.DecimalField(
        label=_("Sur"), min_value=1, max_value=1000, decimal_places=2, initial=20
    )


class InterviewForm(forms.Form):
    def __init__(self, call: Call, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(call.criteria.all())
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = forms.IntegerField(
                label=_("%(c)s (poids %(w)s), note de 0 à 5")
                % {"c": criterion.label, "w": criterion.weight},
                min_value=0,
                max_value=5,
            )
            self.fields[f"m{criterion.pk}"] = forms.CharField(
                label=_("Commentaire : %(c)s") % {"c": criterion.label},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"c{c.pk}"], self.cleaned_data.get(f"m{c.pk}") or "")
            for c in self.criteria
        }


class ListFilterForm(forms.Form):
    SORTS = (
        ("submitted", _("Date de candidature")),
        ("name", _("Nom")),
        ("stage", _("Étape")),
        ("decision", _("Décision")),
    )
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    stage = forms.ModelChoiceField(
        label=_("Étape"), queryset=Stage.objects.none(), required=False, empty_label=_("Toutes")
    )
    decision = forms.ChoiceField(
        label=_("Décision"),
        required=False,
        choices=[("", _("Toutes")), *[(v, lbl) for v, lbl in Decision.choices if v]],
    )
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=SORTS)

    def __init__(self, call: Call, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = call.stages.order_by("order")  # type: ignore[attr-defined]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


KINDS = {k for k, _label in Question.Kind.choices}


class CallForm(forms.Form):
    """Opening a call. Questions, stages and criteria are typed one per line."""

    title = forms.CharField(label=_("Titre"), max_length=200)
    slug = forms.SlugField(
        label=_("Adresse"),
        max_length=80,
        help_text=_("Minuscules, chiffres et tirets : /candidatures/<organisation>/<adresse>/."),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=Call.Kind.choices)
    description = forms.CharField(
        label=_("Présentation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    opens_at = forms.DateTimeField(label=_("Ouverture"), widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(label=_("Clôture"), widget=DateTimeLocalInput())
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=10000)
    retention_days = forms.IntegerField(
        label=_("Conservation des données des candidats non retenus (jours)"),
        min_value=30,
        max_value=3650,
        initial=365,
    )
    audiences = forms.MultipleChoiceField(
        label=_("Publics admis"),
        required=False,
        choices=Module.Audience.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sessions = forms.ModelMultipleChoiceField(
        label=_("Sessions de la formation"), required=False, queryset=Session.objects.none()
    )
    referral_call = forms.ModelChoiceField(
        label=_("Programme préparatoire (orientation des non-retenus)"),
        required=False,
        queryset=Call.objects.none(),
    )
    followup_call = forms.ModelChoiceField(
        label=_("Formation qualifiante (relance à la fin du programme)"),
        required=False,
        queryset=Call.objects.none(),
    )
    stages = forms.CharField(
        label=_("Étapes de la sélection, une par ligne"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Vide : réception, séance d'information, tests, entretien, décision."),
    )
    questions = forms.CharField(
        label=_("Questions, une par ligne"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "type | question | choix séparés par ; | obligatoire — types : text, choice, date, "
            "number, yes_no, file. Exemple : choice | Niveau d'études | CESS; Bachelier | oui"
        ),
    )
    criteria = forms.CharField(
        label=_("Grille d'entretien : critère | poids, un par ligne"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, organisation: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = Session.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("-starts_at", "pk")
        calls = Call.objects.filter(organisation=organisation).order_by("-opens_at")
        self.fields["referral_call"].queryset = calls  # type: ignore[attr-defined]
        self.fields["followup_call"].queryset = calls  # type: ignore[attr-defined]

    def clean_stages(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["stages"].splitlines() if line.strip()]

    def clean_questions(self) -> list[Any]:
        from parcours.candidates.actions import QuestionData

        out = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or parts[0] not in KINDS or not parts[1]:
                raise forms.ValidationError(
                    _("Ligne %(n)s : « type | question » attendu (types : %(k)s).")
                    % {"n": number, "k": ", ".join(sorted(KINDS))}
                )
            choices = [c.strip() for c in parts[2].split(";")] if len(parts) > 2 else []
            required = len(parts) > 3 and parts[3].lower() in ("oui", "yes", "1", "obligatoire")
            out.append(QuestionData(parts[1][:300], parts[0], [c for c in choices if c], required))
        if len(out) > 50:
            raise forms.ValidationError(_("50 questions au plus."))
        return out

    def clean_criteria(self) -> list[tuple[str, int]]:
        out = []
        for number, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            label, _sep, weight = line.partition("|")
            try:
                value = int(weight.strip() or "1")
            except ValueError:
                raise forms.ValidationError(
                    _("Ligne %(n)s : le poids est un nombre entier.") % {"n": number}
                ) from None
            out.append((label.strip()[:200], value))
        return out[:30]


class StagesForm(forms.Form):
    stages = forms.CharField(
        label=_("Étapes de la sélection, une par ligne, dans l'ordre"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Renommez, réordonnez ou ajoutez des lignes. Une étape qui contient encore des "
            "candidatures ne peut pas être supprimée."
        ),
    )

    def clean_stages(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["stages"].splitlines() if line.strip()]
