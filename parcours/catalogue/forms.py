"""Forms of the catalogue: the public filters, the coordinator's module form and its competences.

Forms only validate input; the views hand ``cleaned_data`` to ``actions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from parcours.catalogue.bounds import MAX_ID, MAX_SLUG
from parcours.catalogue.models import Competence, Module, ProficiencyLevel

GroupedChoices = list[tuple[Any, Any]]
FILTER_NAMES = ("organisation", "format", "audience", "language", "framework", "competence")

COMMON_FIELDS = ["code", "duration_hours", "format", "audience", "language", "completion_mode"]
FRENCH_FIELDS = ["title_fr", "summary_fr", "objectives_fr", "description_fr", "prerequisites_fr"]
ENGLISH_FIELDS = ["title_en", "summary_en", "objectives_en", "description_en", "prerequisites_en"]


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def competence_choices(competences: Iterable[Competence]) -> GroupedChoices:
    """Competences grouped by framework and area, for a ``<select>`` with ``<optgroup>``s."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for competence in competences:
        group = f"{competence.framework.name} — {competence.area.code} {competence.area.title}"
        groups.setdefault(group.strip(), []).append((competence.pk, str(competence)))
    return list(groups.items())


def published_competence_choices() -> tuple[list[tuple[str, str]], GroupedChoices]:
    """The public filters' frameworks (slug, name) and competences (``competence_choices``)
    that published modules target, from one query of plain rows: the filters are on every
    catalogue page."""
    from parcours.catalogue.querysets import competences_in_published_modules

    rows = competences_in_published_modules().values_list(
        "pk",
        "code",
        "title_fr",
        "title_en",
        "framework__slug",
        "framework__name",
        "area__code",
        "area__title_fr",
        "area__title_en",
        named=True,
    )
    english = (get_language() or "fr")[:2] == "en"

    def pick(fr: str, en: str) -> str:  # parcours.lib.i18n.pick, the language read once
        return (en or fr) if english else (fr or en)

    frameworks: dict[str, str] = {}
    groups: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        frameworks[row.framework__slug] = row.framework__name
        # As competence_choices does with str(competence), competence.area.title…
        area = pick(row.area__title_fr, row.area__title_en)
        group = f"{row.framework__name} — {row.area__code} {area}".strip()
        title = pick(row.title_fr, row.title_en)
        groups.setdefault(group, []).append((row.pk, f"{row.code} {title}"))
    by_name = sorted(frameworks.items(), key=lambda item: (item[1], item[0]))
    return by_name, list(groups.items())


def level_choices(levels: Iterable[ProficiencyLevel]) -> GroupedChoices:
    groups: dict[str, list[tuple[int, str]]] = {}
    for level in levels:
        groups.setdefault(level.framework.name, []).append((level.pk, str(level)))
    return list(groups.items())


def _attributes(attrs: dict[str, Any]) -> str:
    """Like django/forms/widgets/attrs.html: in order, ``False`` left out, ``True`` bare."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class OptionsSelect(forms.Select):
    """A ``<select>`` written in Python, option by option, with the markup of Django's template.

    Django renders every ``<option>`` through a template include: the catalogue's filters have
    about a hundred options, and rendering them that way took half of each catalogue page.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{escape(option["value"])}"{_attributes(option["attrs"])}>'
                f"{escape(option['label'])}</option>"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        # Every value above went through conditional_escape, as {{ }} in the template would.
        return mark_safe("".join(parts))  # noqa: S308


class CatalogueFilterForm(forms.Form):
    """The public catalogue's search box and filters (GET). Invalid values are ignored."""

    q = forms.CharField(
        label=_("Rechercher un module"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    # Slugs and ids are not limited to the options offered: an organisation or a competence
    # without published modules is a valid filter with no results, not an error.
    organisation = forms.SlugField(
        label=_("Organisation"), required=False, max_length=MAX_SLUG, widget=OptionsSelect
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=_blank(_("Tous")) + Module.Format.choices,
        widget=OptionsSelect,
    )
    audience = forms.ChoiceField(
        label=_("Public"),
        required=False,
        choices=_blank(_("Tous")) + Module.Audience.choices,
        widget=OptionsSelect,
    )
    language = forms.ChoiceField(
        label=_("Langue"),
        required=False,
        choices=_blank(_("Toutes")) + Module.Language.choices,
        widget=OptionsSelect,
    )
    framework = forms.SlugField(
        label=_("Référentiel de compétences"),
        required=False,
        max_length=MAX_SLUG,
        widget=OptionsSelect,
    )
    competence = forms.IntegerField(
        label=_("Compétence"), required=False, min_value=1, max_value=MAX_ID, widget=OptionsSelect
    )

    def __init__(
        self,
        *args: Any,
        organisations: Iterable[tuple[str, str]] = (),
        frameworks: Iterable[tuple[str, str]] = (),
        competences: GroupedChoices | None = None,
        **kwargs: Any,
    ) -> None:
        """``organisations`` and ``frameworks``: (slug, name); ``competences``: grouped
        choices (``published_competence_choices``)."""
        super().__init__(*args, **kwargs)
        self._set_options("organisation", _blank(_("Toutes")) + list(organisations))
        self._set_options("framework", _blank(_("Tous")) + list(frameworks))
        self._set_options("competence", _blank(_("Toutes")) + (competences or []))

    def _set_options(self, name: str, options: GroupedChoices) -> None:
        cast(forms.Select, self.fields[name].widget).choices = options

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is dropped, never an error for a visitor)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in FILTER_NAMES if data.get(name)}

    @property
    def query(self) -> str:
        self.is_valid()
        return str(getattr(self, "cleaned_data", {}).get("q") or "")

    def ignored(self) -> list[str]:
        """What the list could not use, one sentence per field (the page answers 400)."""
        return ignored_fields(self)


def ignored_fields(form: forms.Form) -> list[str]:
    """« Label : error » for every invalid field of a GET filter form."""
    form.is_valid()
    return [
        f"{form.fields[name].label} : {error}"
        for name, errors in form.errors.items()
        if name in form.fields
        for error in errors
    ]


class ManageFilterForm(forms.Form):
    """The coordinator's search box and status filter (GET)."""

    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=_blank(_("Tous")) + Module.Status.choices
    )


class ModuleForm(forms.ModelForm):
    """The content of a module, in French and English. Saved by ``actions``, never by ``save``."""

    class Meta:
        model = Module
        fields = COMMON_FIELDS + FRENCH_FIELDS + ENGLISH_FIELDS
        widgets = {
            "summary_fr": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "prerequisites_fr": forms.Textarea(attrs={"rows": 3}),
            "prerequisites_en": forms.Textarea(attrs={"rows": 3}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
        }
        help_texts = {
            "summary_fr": _("Deux ou trois phrases, affichées dans la liste. Requis pour publier."),
            "description_fr": _("Markdown : **gras**, *italique*, listes à puces, liens."),
            "objectives_fr": _("Markdown : une liste à puces d'objectifs, par exemple."),
            "duration_hours": _("En heures, p. ex. 12 ou 1,5."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duration_hours"].localize = True
        self.fields["duration_hours"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields["duration_hours"].widget.is_localized = True
        for name in ENGLISH_FIELDS:
            self.fields[name].widget.attrs["lang"] = "en"
        # Omitted (older clients, imports): attendance, as before completion modes existed.
        self.fields["completion_mode"].required = False

    def clean_completion_mode(self) -> str:
        return self.cleaned_data.get("completion_mode") or Module.CompletionMode.ATTENDANCE

    def clean_duration_hours(self) -> Decimal | None:
        value: Decimal | None = self.cleaned_data.get("duration_hours")
        if value is not None and value <= 0:
            raise forms.ValidationError(_("La durée doit être supérieure à zéro heure."))
        return value

    def fieldsets(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(id, legend, fields) — the form's three fieldsets."""
        return [
            ("general", str(_("Informations générales")), [self[f] for f in COMMON_FIELDS]),
            ("francais", "Français", [self[f] for f in FRENCH_FIELDS]),
            ("english", "English", [self[f] for f in ENGLISH_FIELDS]),
        ]

    def module_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CompetenceLinkForm(forms.Form):
    """One targeted competence and its level. A row without a competence is ignored."""

    competence = forms.TypedChoiceField(
        label=_("Compétence"), required=False, coerce=int, empty_value=None
    )
    level = forms.TypedChoiceField(
        label=_("Niveau visé"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        competence_options: GroupedChoices | None = None,
        level_options: GroupedChoices | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        competence_field = cast(forms.ChoiceField, self.fields["competence"])
        competence_field.choices = _blank(_("— Aucune —")) + (competence_options or [])
        level_field = cast(forms.ChoiceField, self.fields["level"])
        level_field.choices = _blank(_("— Non précisé —")) + (level_options or [])


class BaseCompetenceLinkFormSet(forms.BaseFormSet):
    def choices(self) -> list[tuple[int, int | None]]:
        """(competence id, level id) of the filled rows not marked for removal."""
        rows: list[tuple[int, int | None]] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or data.get("DELETE") or not data.get("competence"):
                continue
            rows.append((data["competence"], data.get("level")))
        return rows


CompetenceLinkFormSet = forms.formset_factory(
    CompetenceLinkForm, formset=BaseCompetenceLinkFormSet, extra=3, can_delete=True, max_num=50
)


def competence_formset(
    data: Any = None, *, module: Module | None = None
) -> BaseCompetenceLinkFormSet:
    """The competences formset, with choices read once for all rows."""
    from parcours.catalogue.querysets import competences_for_choice

    options = {
        "competence_options": competence_choices(competences_for_choice()),
        "level_options": level_choices(
            ProficiencyLevel.objects.select_related("framework").order_by(
                "framework__name", "order"
            )
        ),
    }
    initial = None
    if module is not None and data is None:
        initial = [
            {"competence": link.competence_id, "level": link.level_id}
            for link in module.competence_links.all()
        ]
    formset = CompetenceLinkFormSet(
        data, initial=initial, prefix="competences", form_kwargs=options
    )
    return cast(BaseCompetenceLinkFormSet, formset)


class SynonymForm(forms.Form):
    """A search synonym: a term and its equivalents (the action validates the rest)."""

    term = forms.CharField(
        label=_("Terme"),
        max_length=100,
        help_text=_("Un mot, un sigle ou une expression, p. ex. « IA »."),
    )
    expansions = forms.CharField(
        label=_("Équivalents"),
        max_length=500,
        help_text=_(
            "Séparés par des virgules, p. ex. « intelligence artificielle, AI ». "
            "Chacun trouve aussi le terme."
        ),
    )
    platform_wide = forms.BooleanField(label=_("Pour toute la plateforme"), required=False)

    def __init__(self, *args: Any, platform: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not platform:
            del self.fields["platform_wide"]
