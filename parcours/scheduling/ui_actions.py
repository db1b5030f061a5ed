"""Deprecated alias kept only for the demo loader: use ``parcours.scheduling.actions``.

Remove once ``parcours/demo/loader.py`` imports ``actions`` instead (the lead's file).
"""

from __future__ import annotations

from parcours.scheduling.actions import *  # noqa: F403
from parcours.scheduling.actions import __all__ as __all__
