"""The shared ``parcours`` tags (``markdown``, ``query_with``) for catalogue templates.

``parcours.lib`` is not an installed app, so its template library cannot be loaded by name;
this module re-exports it. Once ``parcours.lib`` is in INSTALLED_APPS, templates can
``{% load parcours %}`` instead and this file can go.
"""

from __future__ import annotations

from parcours.lib.templatetags.parcours import register

__all__ = ["register"]
