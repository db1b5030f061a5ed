"""Forms of the career pages (they parse; the actions validate the rest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Role, User
from parcours.careers.models import ContractType, FollowUp, Milestone, OutcomeStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _year_ok(value: dt.date | None) -> None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError(_("Les dates doivent être comprises entre 2000 et 2100."))


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=FollowUp.Kind.choices)
    happened_on = forms.DateField(label=_("Date"), widget=DateInput(), validators=[_year_ok])
    note = forms.CharField(
        label=_("Note (visible des seul·es chargé·es de suivi)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10_000,
    )
    next_action = forms.CharField(label=_("Prochaine action"), required=False, max_length=300)
    next_due = forms.DateField(
        label=_("Pour le"), required=False, widget=DateInput(), validators=[_year_ok]
    )


class OutcomeForm(forms.Form):
    milestone = forms.ChoiceField(label=_("Jalon"), choices=Milestone.choices)
    status = forms.ChoiceField(label=_("Situation"), choices=OutcomeStatus.choices)
    contract = forms.ChoiceField(
        label=_("Type de contrat (si emploi)"),
        choices=[("", _("—")), *ContractType.choices],
        required=False,
    )
    note = forms.CharField(label=_("Précision"), required=False, max_length=300)


class SurveyForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Aujourd'hui, vous êtes :"),
        choices=[c for c in OutcomeStatus.choices if c[0] != OutcomeStatus.UNKNOWN],
        widget=forms.RadioSelect,
    )
    contract = forms.ChoiceField(
        label=_("Si vous avez un emploi, quel contrat ?"),
        choices=[("", _("—")), *ContractType.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Un mot de plus (facultatif : employeur, formation suivie…)"),
        required=False,
        max_length=300,
    )


def career_managers(organisation: Organisation) -> Any:
    return (
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=Role.CAREER_MANAGER,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class ManagerForm(forms.Form):
    manager = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Chargé·e de suivi"), empty_label=None
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = career_managers(organisation)  # type: ignore[attr-defined]


class SessionAssignForm(ManagerForm):
    learners = forms.TypedMultipleChoiceField(
        label=_("Personnes à suivre"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, organisation: Organisation, learners: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["learners"].choices = [  # type: ignore[attr-defined]
            (u.pk, f"{u.get_full_name() or u.email} ({u.email})") for u in learners
        ]


class TrainingDatesForm(forms.Form):
    training_start = forms.DateField(
        label=_("Début de formation"), required=False, widget=DateInput(), validators=[_year_ok]
    )
    training_end = forms.DateField(
        label=_("Fin de formation"), required=False, widget=DateInput(), validators=[_year_ok]
    )
