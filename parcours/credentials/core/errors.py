"""Exceptions raised by the credentials core."""

from __future__ import annotations


class CredentialCoreError(Exception):
    """Base class for every error raised by :mod:`parcours.credentials.core`."""


class CanonicalizationError(CredentialCoreError, ValueError):
    """The document cannot be canonicalised safely (invalid JSON-LD or a term would be lost)."""


class UnknownContextError(CanonicalizationError):
    """The document references a JSON-LD context that is not bundled.

    Nothing is ever fetched from the network: only the contexts under ``contexts/``
    (or those given explicitly to a :class:`~parcours.credentials.core.contexts.ContextLoader`)
    can be used.
    """

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD context {url!r} is not bundled; remote loading is disabled")
        self.url = url
