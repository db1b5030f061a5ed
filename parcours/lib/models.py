"""The few rows the shared helpers keep: when each periodic job last ran."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """The last run of one periodic job (:mod:`parcours.lib.periodic`). ``started_at`` is
    also the claim: a worker takes a run by changing it from the value it read."""

    name = models.CharField(_("tâche"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("dernier départ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("dernière fin"), null=True, blank=True)
    ok = models.BooleanField(_("réussie"), null=True)
    output = models.TextField(_("sortie"), blank=True)
    runs = models.PositiveIntegerField(_("exécutions"), default=0)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self) -> str:
        return self.name
