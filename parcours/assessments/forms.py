"""Forms of the assessment pages: they only parse; the actions validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.assessments import actions
from parcours.assessments.models import RESULTS, Criterion, SubmissionStatus
from parcours.pathways.actions import MAX_REASON


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Présentation du projet"),
        max_length=actions.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Quelques lignes : ce que vous avez fait, pour qui, ce que vous en retenez."),
    )
    file = forms.FileField(
        label=_("Fichier"),
        required=False,
        help_text=_(
            "PDF, image, document bureautique (DOCX, XLSX, PPTX, ODT, ODS, ODP) ou archive ZIP."
        ),
    )
    link = forms.CharField(
        label=_("Lien vers le projet"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Un fichier, un lien, ou les deux."),
    )
    evidence_consent = forms.BooleanField(
        label=_("J'accepte que le badge obtenu renvoie vers ce projet (preuve publique)."),
        required=False,
    )


RESULT_CHOICES = [(r.value, r.label) for r in RESULTS]


class ReviewForm(forms.Form):
    """The result, the feedback, and for each criterion: met or not, and a comment."""

    result = forms.ChoiceField(label=_("Résultat"), choices=RESULT_CHOICES)
    feedback = forms.CharField(
        label=_("Retour à l'apprenant·e"),
        required=False,
        max_length=actions.MAX_FEEDBACK,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Requis si le projet est à retravailler ou non réussi."),
    )

    def __init__(self, *args: Any, criteria: list[Criterion] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"met_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.text,
                choices=[("1", _("Atteint")), ("0", _("Non atteint"))],
                coerce=lambda v: v == "1",
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Commentaire : %(criterion)s") % {"criterion": criterion.text},
                required=False,
                max_length=actions.MAX_COMMENT,
            )

    def criterion_rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"met_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def judgements(self) -> dict[int, actions.CriterionJudgement]:
        out: dict[int, actions.CriterionJudgement] = {}
        for criterion in self.criteria:
            met = self.cleaned_data.get(f"met_{criterion.pk}")
            if met in (True, False):
                out[criterion.pk] = actions.CriterionJudgement(
                    met=bool(met), comment=self.cleaned_data.get(f"comment_{criterion.pk}", "")
                )
        return out


class QuickReviewForm(forms.Form):
    """One row of a session's grid: the result and the feedback."""

    result = forms.ChoiceField(label=_("Résultat"), choices=RESULT_CHOICES)
    feedback = forms.CharField(
        label=_("Votre retour"), required=False, max_length=actions.MAX_FEEDBACK
    )


class CriteriaForm(forms.Form):
    criteria = forms.CharField(
        label=_("Critères (un par ligne, dans l'ordre)"),
        required=False,
        max_length=actions.MAX_CRITERIA * (actions.MAX_CRITERION + 2),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def texts(self) -> list[str]:
        return str(self.cleaned_data.get("criteria") or "").splitlines()


class PriorLearningForm(forms.Form):
    email = forms.EmailField(label=_("E-mail de la personne"), max_length=254)
    module = forms.TypedChoiceField(label=_("Module"), coerce=int, choices=())
    completed_on = forms.DateField(
        label=_("Acquis le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Raison (enregistrée dans le journal)"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("P. ex. : titre équivalent obtenu, expérience professionnelle attestée."),
    )

    def __init__(self, *args: Any, modules: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", "—"), *modules]  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Raison du retrait"), max_length=MAX_REASON)
    revoke_credentials = forms.BooleanField(
        label=_("Révoquer aussi les badges obtenus grâce à ce module"),
        required=False,
        initial=True,
    )


__all__ = [
    "CriteriaForm",
    "PriorLearningForm",
    "QuickReviewForm",
    "ReviewForm",
    "SubmissionForm",
    "SubmissionStatus",
    "WithdrawForm",
]
