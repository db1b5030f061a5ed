"""Forms of the games, quiz and class mode (they parse; the actions validate the rest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.orientation.class_models import ClassVisit, GameItem
from parcours.orientation.models import World
from parcours.scheduling.models import OutreachRequest


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Code de la classe"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("Les 6 caractères écrits au tableau."),
    )
    pseudonym = forms.CharField(
        label=_("Ton prénom ou un pseudo"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Pas de nom de famille : seul ton prénom ou un pseudo."),
    )


class OpenVisitForm(forms.Form):
    title = forms.CharField(
        label=_("Classe"), max_length=200, help_text=_("Par exemple : 6e B, école Saint-Joseph.")
    )
    grade = forms.ChoiceField(
        label=_("Année d'études"),
        choices=[("", _("— non précisée —")), *ClassVisit.Grade.choices],
        required=False,
    )
    outreach = forms.ModelChoiceField(
        label=_("Animation réservée (facultatif)"),
        queryset=OutreachRequest.objects.none(),
        required=False,
    )
    teacher_email = forms.EmailField(
        label=_("E-mail de l'enseignant (facultatif)"),
        required=False,
        help_text=_("Pour lui envoyer le kit de suivi après la visite."),
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outreach"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = (
            OutreachRequest.objects.filter(
                organisation_id=organisation_id,
                booking__end__gte=timezone.now() - dt.timedelta(days=60),
            )
            .select_related("activity", "booking")
            .order_by("booking__start")
        )


class KitForm(forms.Form):
    teacher_email = forms.EmailField(label=_("E-mail de l'enseignant"), max_length=254)


class GameItemForm(forms.Form):
    world = forms.ModelChoiceField(label=_("Monde"), queryset=World.objects.none())
    kind = forms.ChoiceField(label=_("Type"), choices=GameItem.Kind.choices)
    prompt_fr = forms.CharField(label=_("Question"), max_length=300)
    answer_fr = forms.CharField(label=_("Bonne réponse"), max_length=120)
    wrong_1_fr = forms.CharField(label=_("Mauvaise réponse 1"), max_length=120)
    wrong_2_fr = forms.CharField(label=_("Mauvaise réponse 2"), max_length=120, required=False)
    wrong_3_fr = forms.CharField(label=_("Mauvaise réponse 3"), max_length=120, required=False)
    explanation_fr = forms.CharField(
        label=_("Explication (montrée après la réponse)"), max_length=300, required=False
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["world"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = World.objects.filter(organisation_id=organisation_id)


class QuizStatementForm(forms.Form):
    world = forms.ModelChoiceField(label=_("Monde"), queryset=World.objects.none())
    text_fr = forms.CharField(label=_("Affirmation"), max_length=200)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["world"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = World.objects.filter(organisation_id=organisation_id)
