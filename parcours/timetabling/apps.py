from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetablingConfig(AppConfig):
    """Automatic timetabling of training campaigns (CP-SAT) and ITC 2019."""

    name = "parcours.timetabling"
    label = "timetabling"
    verbose_name = _("Planification automatique")
