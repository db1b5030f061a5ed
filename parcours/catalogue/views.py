"""Catalogue pages: the public list and module page, and the coordinator's module management.

Thin views: reads come from querysets, writes go through ``actions``. The list pages answer an
htmx request with just their results region (``_results.html``), so filtering works with and
without JavaScript.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.formats import localize
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation
from parcours.accounts.permissions import CATALOGUE_EDITORS
from parcours.catalogue import actions, module_filters, suggestions
from parcours.catalogue import cache as catalogue_cache
from parcours.catalogue.bounds import page_number, refuses_out_of_bounds
from parcours.catalogue.forms import (
    BaseCompetenceLinkFormSet,
    CatalogueFilterForm,
    ManageFilterForm,
    ModuleForm,
    SynonymForm,
    competence_formset,
    ignored_fields,
)
from parcours.catalogue.models import Module, SearchSynonym
from parcours.catalogue.querysets import ModuleQuerySet, competence_links_for_listing
from parcours.catalogue.search import (
    Synonyms,
    expand_query,
    module_ids,
    paginate_ids,
    parse_query,
)
from parcours.catalogue.templatetags.catalogue_i18n import fallback_note, in_language_of
from parcours.lib.http import AuthedRequest

#: Long texts that list pages never show: not read for the page's twenty modules.
NOT_LISTED = (
    "description_fr",
    "description_en",
    "objectives_fr",
    "objectives_en",
    "prerequisites_fr",
    "prerequisites_en",
    "search_text",
    "search_vector",
)


def _wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for the results region only (not a boosted page, not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def _page(
    request: HttpRequest,
    modules: ModuleQuerySet,
    query: str,
    generation: str | None = None,
    synonyms: Synonyms | None = None,
) -> Page:
    """The requested page of ``modules`` matching ``query`` (in search order; the queryset's
    own order without a query), its modules loaded for listing.

    Searching, sorting and counting read ids only (search.module_ids); the twenty modules shown
    are loaded afterwards, again through ``modules``, so a page never shows what it may not.
    """
    number = page_number(request.GET.get("page"))
    ids = module_ids(modules, query, generation=generation, synonyms=synonyms)
    page = paginate_ids(ids, number, settings.CATALOGUE_PAGE_SIZE)
    wanted = list(page.object_list)
    if not wanted:
        page.object_list = []
        return page
    found = modules.filter(pk__in=wanted).select_related("organisation").defer(*NOT_LISTED)
    by_pk = {module.pk: module for module in found}
    page.object_list = [by_pk[pk] for pk in wanted if pk in by_pk]
    return page


def _search_help(
    modules: ModuleQuerySet, query: str, page: Page, generation: str, synonyms: Synonyms
) -> dict[str, Any]:
    """What the results say about the search itself: the synonyms it also looked for, and,
    when it found nothing, a corrected query that does find something ("Vouliez-vous dire")."""
    if not query:
        return {"suggestion": None, "also_searched": []}
    parsed = expand_query(parse_query(query), synonyms)
    also = [" ".join(words) for options in parsed.alternatives for words in options]
    suggestion = None
    if page.paginator.count == 0:
        known = {word for key in synonyms for word in key}
        suggestion = suggestions.suggest(query, suggestions.vocabulary(generation), known)
        if suggestion is not None and not len(
            module_ids(modules, suggestion, generation=generation, synonyms=synonyms)
        ):
            suggestion = None  # only words that find something the reader may see
    return {"suggestion": suggestion, "also_searched": also}


@dataclass(frozen=True)
class CompetenceTag:
    """A targeted competence on a card: its code, its title (tooltip) and level code."""

    code: str
    title: str
    level: str


@dataclass(frozen=True)
class Card:
    """What a card of the public list shows, worked out in Python once per page.

    Django's per-object helpers and per-card template tags cost more than the page's queries
    (``get_FOO_display`` rebuilds and translates the list of choices at every call,
    ``prefetch_related`` builds a queryset per module, ``{% url %}``, ``{% blocktranslate %}``
    and ``truncatewords`` once per card): the template only prints these strings (escaped).
    """

    url: str
    title: str
    organisation: str
    code: str
    summary: str
    hours: str
    format: str
    audience: str
    language: str
    competences: list[CompetenceTag]


#: Words of a summary shown on a card (as ``truncatewords:60`` did).
SUMMARY_WORDS = 60


def _cards(modules: list[Module]) -> list[Card]:
    formats = {value: str(label) for value, label in Module.Format.choices}
    audiences = {value: str(label) for value, label in Module.Audience.choices}
    languages = {value: str(label) for value, label in Module.Language.choices}
    # The same msgid as the template's {% blocktranslate %}{{ hours }} h{% endblocktranslate %}.
    hours_text = _("%(hours)s h")
    tags: dict[int, list[CompetenceTag]] = {m.pk: [] for m in modules}
    reader = (get_language() or "fr")[:2]
    notes = {language: fallback_note(language) for language in ("fr", "en")}
    links = competence_links_for_listing([m.pk for m in modules]).values_list(
        "module_id",
        "competence__code",
        "competence__title_fr",
        "competence__title_en",
        "level__code",
    )  # plain rows: three model instances per link cost more than the rest of the cards
    for module_id, code, title_fr, title_en, level in links:
        title, language = in_language_of(title_fr or "", title_en or "", reader)
        if language is not None:  # the framework has no label in the reader's language
            title = f"{title} {notes[language]}"
        tags[module_id].append(CompetenceTag(code=code, title=title, level=level or ""))
    cards = []
    for m in modules:
        summary = m.summary
        cards.append(
            Card(
                url=reverse("catalogue:detail", args=(m.organisation.slug, m.code)),
                title=m.title,
                organisation=m.organisation.name,
                code=m.code,
                summary=Truncator(summary).words(SUMMARY_WORDS, truncate=" …") if summary else "",
                # As {{ hours }} would print it: localized (decimal comma in French).
                hours=hours_text % {"hours": localize(m.duration_hours.normalize())},
                format=formats.get(m.format, m.format),
                audience=audiences.get(m.audience, m.audience),
                language=languages.get(m.language, m.language),
                competences=tags[m.pk],
            )
        )
    return cards


def _render_list(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    """The list page, or its results region for htmx. A filter it could not use is named
    above the results and the page is a 400 (the valid filters still apply)."""
    is_fragment = _wants_fragment(request)
    context["fragment"] = is_fragment
    # htmx swaps only 2xx answers: the results region carries the message itself.
    status = 400 if context.get("ignored") and not is_fragment else 200
    response = render(request, fragment if is_fragment else template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Public pages ------------------------------------------------------------------------


@refuses_out_of_bounds
def public_list(request: HttpRequest) -> HttpResponse:
    # The filter options and the ranked ids of a search are cached per catalogue generation
    # (read first, see cache.py); the twenty modules shown are read on every request.
    generation = catalogue_cache.generation()
    organisations, frameworks, competences = catalogue_cache.filter_options(generation)
    form = CatalogueFilterForm(
        request.GET or None,
        organisations=organisations,
        frameworks=frameworks,
        competences=competences,
    )
    query = form.query
    modules = Module.objects.published().filtered(**form.filters()).order_by("title_fr", "pk")
    modules, extra_filters, extra_ignored = _extra_filters(request, modules)
    # The cached ranked ids do not know the filters of other apps.
    ids_generation = None if extra_filters else generation
    # The public catalogue spans every organisation: their synonyms all apply.
    synonyms = suggestions.synonyms_for(None, generation=generation) if query else {}
    page = _page(request, modules, query, ids_generation, synonyms)
    help_ = _search_help(modules, query, page, generation, synonyms)
    page.object_list = _cards(list(page.object_list))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "is_filtered": bool(request.GET),
        "ignored": form.ignored() + extra_ignored,
        "extra_filters": extra_filters,
        **help_,
    }
    return _render_list(request, "catalogue/public_list.html", "catalogue/_results.html", context)


@dataclass
class ExtraFilter:
    param: str
    value: str
    label: str
    remove_url: str


def _extra_filters(
    request: HttpRequest, modules: ModuleQuerySet
) -> tuple[ModuleQuerySet, list[ExtraFilter], list[str]]:
    """The filters other apps contribute (module_filters): applied, or named as ignored."""
    applied: list[ExtraFilter] = []
    ignored: list[str] = []
    for module_filter in module_filters.registered():
        value = request.GET.get(module_filter.param, "").strip()[:100]
        if not value:
            continue
        resolved = module_filter.resolve(value)
        if resolved is None:
            ignored.append(_("Filtre inconnu : %(value)s") % {"value": value})
            continue
        label, ids = resolved
        modules = modules.filter(pk__in=ids)
        rest = request.GET.copy()
        rest.pop(module_filter.param, None)
        rest.pop("page", None)
        remove_url = reverse("catalogue:public_list") + (f"?{rest.urlencode()}" if rest else "")
        applied.append(ExtraFilter(module_filter.param, value, label, remove_url))
    return modules, applied, ignored


def detail(request: HttpRequest, org_slug: str, code: str) -> HttpResponse:
    """A module's page. Drafts and archived modules exist only for their organisation's staff."""
    actor = getattr(request, "actor", None)
    module = get_object_or_404(
        Module.objects.visible_to(actor).for_listing(), organisation__slug=org_slug, code=code
    )
    can_edit = actor is not None and (
        actor.is_platform_admin or actor.has_role(module.organisation_id, *CATALOGUE_EDITORS)
    )
    return render(request, "catalogue/detail.html", {"module": module, "can_edit": can_edit})


# --- Coordinator pages -------------------------------------------------------------------


def _editor_organisation(request: AuthedRequest) -> Organisation:
    """The current organisation, if the user may edit its catalogue; else 403."""
    organisation = request.organisation
    actor = request.actor
    if organisation is None or not (
        actor.is_platform_admin or actor.has_role(organisation, *CATALOGUE_EDITORS)
    ):
        raise PermissionDenied(_("Seuls les coordinateurs de l'organisation gèrent ses modules."))
    return organisation


def _own_module(organisation: Organisation, pk: int) -> Module:
    """A module of the current organisation; another organisation's module is a 404."""
    return get_object_or_404(Module.objects.for_listing(), pk=pk, organisation=organisation)


@login_required
@refuses_out_of_bounds
def manage_list(request: AuthedRequest) -> HttpResponse:
    organisation = _editor_organisation(request)
    form = ManageFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    query = data.get("q", "")
    modules = (
        Module.objects.of_organisation(organisation)
        .with_status(data.get("status", ""))
        .order_by("code", "pk")
    )
    generation = catalogue_cache.generation()
    synonyms = suggestions.synonyms_for([organisation.pk], generation=generation) if query else {}
    page = _page(request, modules, query, None, synonyms)
    context = {
        "form": form,
        "page": page,
        **_search_help(modules, query, page, generation, synonyms),
        "query": query,
        "organisation": organisation,
        "is_filtered": bool(request.GET),
        "ignored": ignored_fields(form),
    }
    return _render_list(
        request, "catalogue/manage_list.html", "catalogue/_manage_results.html", context
    )


def _error_summary(
    form: ModuleForm, formset: BaseCompetenceLinkFormSet, competence_errors: list[str]
) -> list[tuple[str, str]]:
    """(anchor, message) for every error, for the summary at the top of the form."""
    summary: list[tuple[str, str]] = [("", str(e)) for e in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            summary.append((field.auto_id, f"{field.label} : {error}"))
    for index, row in enumerate(formset.forms, start=1):
        for name, errors in row.errors.items():
            for error in errors:
                label = _("Compétence visée n° %(n)s") % {"n": index}
                summary.append((row[name].auto_id, f"{label} : {error}"))
    summary += [("competences", str(e)) for e in formset.non_form_errors()]
    summary += [("competences", e) for e in competence_errors]
    return summary


def _apply_action_errors(form: ModuleForm, exc: ValidationError) -> list[str]:
    """Show an action's errors next to their fields; return those about competences."""
    competence_errors: list[str] = []
    for name, errors in exc.message_dict.items():
        if name == "competences":
            competence_errors += errors
        elif name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)
    return competence_errors


def _module_form_page(
    request: AuthedRequest,
    organisation: Organisation,
    module: Module | None,
) -> HttpResponse:
    actor = request.actor
    # The form changes the instance it validates: give it a copy, the page shows the saved one.
    instance = Module(organisation=organisation) if module is None else copy.copy(module)
    competence_errors: list[str] = []
    if request.method == "POST":
        form = ModuleForm(request.POST, instance=instance)
        formset = competence_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                if module is None:
                    saved = actions.create_module(
                        actor=actor,
                        organisation=organisation,
                        data=form.module_data(),
                        competences=formset.choices(),
                    )
                    messages.success(request, _("Module créé (brouillon)."))
                else:
                    saved = actions.update_module(
                        actor=actor,
                        module=module,
                        data=form.module_data(),
                        competences=formset.choices(),
                    )
                    messages.success(request, _("Modifications enregistrées."))
            except ValidationError as exc:
                competence_errors = _apply_action_errors(form, exc)
            else:
                return redirect("catalogue:manage_edit", pk=saved.pk)
    else:
        form = ModuleForm(instance=instance)
        formset = competence_formset(module=module)
    context = {
        "form": form,
        "formset": formset,
        "module": module,
        "organisation": organisation,
        "competence_errors": competence_errors,
        "error_summary": _error_summary(form, formset, competence_errors)
        if request.method == "POST"
        else [],
    }
    return render(request, "catalogue/module_form.html", context)


@login_required
def manage_create(request: AuthedRequest) -> HttpResponse:
    organisation = _editor_organisation(request)
    return _module_form_page(request, organisation, None)


@login_required
def manage_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _editor_organisation(request)
    return _module_form_page(request, organisation, _own_module(organisation, pk))


def _change_status(request: AuthedRequest, pk: int, action: Any, done: str) -> HttpResponse:
    organisation = _editor_organisation(request)
    module = _own_module(organisation, pk)
    try:
        action(actor=request.actor, module=module)
    except ValidationError as exc:
        messages.error(request, " ".join([_("Action impossible :"), *exc.messages]))
    else:
        messages.success(request, done)
    return redirect("catalogue:manage_edit", pk=module.pk)


@login_required
@require_POST
def manage_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    return _change_status(request, pk, actions.publish_module, _("Module publié."))


@login_required
@require_POST
def manage_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    return _change_status(request, pk, actions.archive_module, _("Module archivé."))


@login_required
@require_POST
def manage_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    return _change_status(request, pk, actions.restore_module, _("Module remis en brouillon."))


# --- Search synonyms ---------------------------------------------------------------------


def _synonym_scope(request: AuthedRequest) -> Organisation | None:
    """The organisation whose synonyms the user edits (platform administrators may have none:
    they edit the platform-wide ones); 403 for anyone else."""
    organisation = request.organisation
    actor = request.actor
    if actor.is_platform_admin:
        return organisation
    if organisation is None or not actor.has_role(organisation, *actions.SYNONYM_EDITORS):
        raise PermissionDenied(
            _(
                "Seuls les coordinateurs et les administrateurs de l'organisation "
                "gèrent ses synonymes."
            )
        )
    return organisation


def _editable_synonym(request: AuthedRequest, pk: int) -> SearchSynonym:
    """A synonym of the current organisation (or, for a platform administrator, a platform-wide
    one); anything else is a 404, whether it exists or not."""
    organisation = _synonym_scope(request)
    scope = Q(organisation=organisation) if organisation is not None else Q(pk__in=[])
    if request.actor.is_platform_admin:
        scope |= Q(organisation__isnull=True)
    return get_object_or_404(SearchSynonym.objects.filter(scope), pk=pk)


def _synonym_page(
    request: AuthedRequest,
    organisation: Organisation | None,
    form: SynonymForm,
    editing: SearchSynonym | None,
    status: int = 200,
) -> HttpResponse:
    own = (
        SearchSynonym.objects.filter(organisation=organisation).order_by("term", "pk")
        if organisation is not None
        else SearchSynonym.objects.none()
    )
    common = SearchSynonym.objects.filter(organisation__isnull=True).order_by("term", "pk")
    errors: list[tuple[str, str]] = []
    for name, field_errors in form.errors.items():
        for error in field_errors:
            if name in form.fields:
                errors.append((form[name].auto_id, f"{form.fields[name].label} : {error}"))
            else:
                errors.append(("", str(error)))
    context = {
        "organisation": organisation,
        "form": form,
        "editing": editing,
        "own": own,
        "common": common,
        "can_edit_common": request.actor.is_platform_admin,
        "error_summary": errors,
        "max_synonyms": actions.MAX_SYNONYMS,
    }
    return render(request, "catalogue/synonyms.html", context, status=status)


def _save_synonym(
    request: AuthedRequest, organisation: Organisation | None, editing: SearchSynonym | None
) -> HttpResponse:
    platform = request.actor.is_platform_admin
    initial = None
    if editing is not None:
        initial = {
            "term": editing.term,
            "expansions": editing.expansions,
            "platform_wide": editing.organisation_id is None,
        }
    form = SynonymForm(request.POST or None, initial=initial, platform=platform)
    if request.method != "POST":
        return _synonym_page(request, organisation, form, editing)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if editing is None:
                target = None if data.get("platform_wide") or organisation is None else organisation
                actions.create_synonym(
                    actor=request.actor,
                    organisation=target,
                    term=data["term"],
                    expansions=data["expansions"],
                )
                messages.success(request, _("Synonyme ajouté."))
            else:
                actions.update_synonym(
                    actor=request.actor,
                    synonym=editing,
                    term=data["term"],
                    expansions=data["expansions"],
                )
                messages.success(request, _("Synonyme enregistré."))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            return redirect("catalogue:synonyms")
    return _synonym_page(request, organisation, form, editing, status=422)


@login_required
def synonyms(request: AuthedRequest) -> HttpResponse:
    """The organisation's search synonyms (and the platform-wide ones), and a form to add one."""
    return _save_synonym(request, _synonym_scope(request), None)


@login_required
def synonym_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    synonym = _editable_synonym(request, pk)
    return _save_synonym(request, _synonym_scope(request), synonym)


@login_required
@require_POST
def synonym_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    synonym = _editable_synonym(request, pk)
    actions.delete_synonym(actor=request.actor, synonym=synonym)
    messages.success(request, _("Synonyme supprimé : « %(term)s ».") % {"term": synonym.term})
    return redirect("catalogue:synonyms")
