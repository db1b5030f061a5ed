from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _catalogue_changed(sender: type, using: str = "default", **kwargs: Any) -> None:
    from parcours.catalogue import cache

    cache.bump(using)


class CatalogueConfig(AppConfig):
    name = "parcours.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from parcours.accounts.models import Organisation
        from parcours.catalogue import models

        # What the list pages show (see cache.py): a save or delete gives the catalogue a new
        # generation, in the same transaction.
        for model in (
            models.Module,
            models.ModuleCompetence,
            models.Competence,
            models.CompetenceArea,
            models.Framework,
            models.ProficiencyLevel,
            Organisation,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    _catalogue_changed, sender=model, dispatch_uid=f"catalogue-generation-{model}"
                )
