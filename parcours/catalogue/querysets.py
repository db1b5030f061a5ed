from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from parcours.accounts.models import Organisation
    from parcours.accounts.permissions import Actor


#: The order of a module's targeted competences: by framework, area, then competence.
LINK_ORDER = ("competence__framework__name", "competence__area__order", "competence__order")


class ModuleQuerySet(models.QuerySet):
    def published(self) -> ModuleQuerySet:
        return self.filter(status="published")

    def with_status(self, status: str) -> ModuleQuerySet:
        return self.filter(status=status) if status else self

    def of_organisation(self, organisation: Organisation | int) -> ModuleQuerySet:
        return self.filter(organisation=organisation)

    def visible_to(self, actor: Actor | None) -> ModuleQuerySet:
        """Published modules, plus every module of the organisations where actor is staff."""
        if actor is None or not actor.user.is_authenticated:
            return self.published()
        if actor.is_platform_admin:
            return self.all()
        from parcours.accounts.models import STAFF_ROLES

        staff_orgs = actor.orgs_with_role(*STAFF_ROLES)
        return self.filter(models.Q(status="published") | models.Q(organisation__in=staff_orgs))

    def editable_by(self, actor: Actor) -> ModuleQuerySet:
        """Modules of the organisations where actor may edit the catalogue."""
        if actor.is_platform_admin:
            return self.all()
        from parcours.accounts.permissions import CATALOGUE_EDITORS

        return self.filter(organisation__in=actor.orgs_with_role(*CATALOGUE_EDITORS))

    def filtered(
        self,
        *,
        organisation: str = "",
        format: str = "",
        audience: str = "",
        language: str = "",
        framework: str = "",
        competence: int | None = None,
        completion_mode: str = "",
    ) -> ModuleQuerySet:
        """The catalogue filters; empty values are ignored. Organisation, framework: slugs."""
        from parcours.catalogue.models import ModuleCompetence

        qs = self
        if organisation:
            qs = qs.filter(organisation__slug=organisation)
        if format:
            qs = qs.filter(format=format)
        if audience:
            qs = qs.filter(audience=audience)
        if language:
            qs = qs.filter(language=language)
        if completion_mode:
            qs = qs.filter(completion_mode=completion_mode)
        if framework:
            qs = qs.filter(
                models.Exists(
                    ModuleCompetence.objects.filter(
                        module=models.OuterRef("pk"), competence__framework__slug=framework
                    )
                )
            )
        if competence:
            qs = qs.filter(
                models.Exists(
                    ModuleCompetence.objects.filter(
                        module=models.OuterRef("pk"), competence_id=competence
                    )
                )
            )
        return qs

    def for_listing(self) -> ModuleQuerySet:
        """What list pages and the API show, in a constant number of queries."""
        from parcours.catalogue.models import ModuleCompetence

        links = ModuleCompetence.objects.select_related(
            "competence__framework", "competence__area", "level"
        ).order_by(*LINK_ORDER)
        return self.select_related("organisation").prefetch_related(
            models.Prefetch("competence_links", queryset=links)
        )


def competence_links_for_listing(module_ids: list[int]) -> models.QuerySet:
    """The targeted competences (with their level) of these modules, in ``LINK_ORDER``: what
    a card of the public list shows, read in one query for the whole page."""
    from parcours.catalogue.models import ModuleCompetence

    return (
        ModuleCompetence.objects.filter(module_id__in=module_ids)
        .select_related("competence", "level")
        .order_by(*LINK_ORDER, "pk")
    )


# The public catalogue's filter options. Each is an EXISTS per organisation, framework or
# competence (a few dozen index probes that stop at the first published module), not a join
# over every module: the options are read on every catalogue page.


def organisations_with_published_modules() -> models.QuerySet:
    from parcours.accounts.models import Organisation
    from parcours.catalogue.models import Module

    published = Module.objects.filter(organisation=models.OuterRef("pk"), status="published")
    return (
        Organisation.objects.filter(models.Exists(published)).only("slug", "name").order_by("name")
    )


def competences_in_published_modules() -> models.QuerySet:
    """Competences targeted by at least one published module, grouped-ready (framework, area)."""
    from parcours.catalogue.models import Competence, ModuleCompetence

    used = ModuleCompetence.objects.filter(
        competence=models.OuterRef("pk"), module__status="published"
    )
    return (
        Competence.objects.filter(models.Exists(used))
        .select_related("framework", "area")
        .only(
            "code",
            "title_fr",
            "title_en",
            "framework__name",
            "area__code",
            "area__title_fr",
            "area__title_en",
        )
        .order_by("framework__name", "area__order", "area__code", "order", "code")
    )


def frameworks_in_published_modules() -> models.QuerySet:
    """Frameworks of the competences that published modules target (the public list reads them
    with the competences, in forms.published_competence_choices)."""
    from parcours.catalogue.models import Framework

    used = competences_in_published_modules().values("framework_id")
    return Framework.objects.filter(pk__in=used).only("slug", "name").order_by("name")


def competences_for_choice() -> models.QuerySet:
    """Every competence, in framework and area order (for the coordinator's form)."""
    from parcours.catalogue.models import Competence

    return Competence.objects.select_related("framework", "area").order_by(
        "framework__name", "area__order", "area__code", "order", "code"
    )
