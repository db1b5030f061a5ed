"""Offline JSON-LD document loader serving only bundled context documents.

The bundled files are verbatim copies of the published standards documents:

* ``https://www.w3.org/ns/credentials/v2`` — W3C VC Data Model 2.0 (identical to the copy
  PyLD itself bundles);
* ``https://w3id.org/security/data-integrity/v2`` — W3C Data Integrity 1.0;
* ``https://www.w3.org/2018/credentials/v1`` and ``https://w3id.org/security/data-integrity/v1``
  — VC Data Model 1.1 and its Data Integrity context, for badges issued with OB 3.0.0/3.0.1
  (whose contexts conflict with VC 2.0's protected terms and only work with VC 1.1);
* ``https://w3id.org/security/multikey/v1`` — Multikey;
* ``https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json`` (and the 3.0.2, 3.0.1 and
  3.0.0 ``context.json`` revisions still found in issued badges) — 1EdTech Open Badges 3.0,
  plus its ``extensions.json`` (defines ``1EdTechJsonSchemaValidator2019``,
  ``1EdTechRevocationList`` and ``1EdTechCredentialRefresh``, which the OB 3.0 examples use
  as ``type`` values and which are otherwise undefined);
* ``https://www.w3.org/ns/credentials/examples/v2`` — the W3C examples context. It maps
  *every* undefined term through ``@vocab`` so it is **not** served by :func:`default_loader`;
  it is only available through :func:`examples_loader` (used for the W3C test vectors).

Any other URL raises :class:`~parcours.credentials.core.errors.UnknownContextError`.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver

from parcours.credentials.core.errors import UnknownContextError
from parcours.credentials.core.shapes import ShapeCache

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
CREDENTIALS_EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_3_0_2 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB_V3P0_3_0_1 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
OB_V3P0_3_0_0 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

#: Context URL → bundled file name (served by :func:`default_loader`).
BUNDLED_CONTEXTS: Mapping[str, str] = {
    CREDENTIALS_V2: "credentials-v2.json",
    CREDENTIALS_V1: "credentials-v1.json",
    DATA_INTEGRITY_V2: "security-data-integrity-v2.json",
    DATA_INTEGRITY_V1: "security-data-integrity-v1.json",
    MULTIKEY_V1: "security-multikey-v1.json",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
    OB_V3P0_3_0_2: "ob-v3p0-context-3.0.2.json",
    OB_V3P0_3_0_1: "ob-v3p0-context-3.0.1.json",
    OB_V3P0_3_0_0: "ob-v3p0-context-3.0.0.json",
    OB_V3P0_EXTENSIONS: "ob-v3p0-extensions.json",
}

#: Bundled but not served by default (see module docstring).
EXAMPLE_CONTEXTS: Mapping[str, str] = {
    CREDENTIALS_EXAMPLES_V2: "credentials-examples-v2.json",
}

# Processed contexts kept per loader (PyLD's own global cache is never used, so a
# context loaded elsewhere in the process can never leak into our canonicalisation).
RESOLVED_CONTEXT_CACHE_SIZE = 256
# Type-scoped contexts processed against a given active context (see canonical.py).
PROCESSED_CONTEXT_MEMO_SIZE = 2048


@cache
def _read_bundled(file_name: str) -> Mapping[str, Any]:
    with (CONTEXTS_DIR / file_name).open(encoding="utf-8") as handle:
        document: Mapping[str, Any] = json.load(handle)
    return document


class ContextLoader:
    """A PyLD document loader (``loader(url, options) -> RemoteDocument``) that never
    touches the network.

    ``documents`` maps a context URL either to a bundled file name (under ``contexts/``)
    or to an already parsed JSON document. URLs are matched exactly.

    Each loader owns the cache of resolved/processed contexts PyLD builds, so active
    context processing of the bundled contexts is done once per loader, not per call, and
    the templates of the document shapes it has canonicalised (``shapes=False``: none).
    Those caches (and PyLD's, hanging off them) are not thread safe: JSON-LD operations
    using a loader hold its ``lock`` (CPU-bound pure Python gains nothing from threads
    anyway; use processes to scale).
    """

    def __init__(
        self, documents: Mapping[str, str | Mapping[str, Any]], *, shapes: bool = True
    ) -> None:
        self._documents: dict[str, Mapping[str, Any]] = {}
        for url, source in documents.items():
            self._documents[url] = _read_bundled(source) if isinstance(source, str) else source
        self._resolved_cache: LRUCache[str, Any] = LRUCache(maxsize=RESOLVED_CONTEXT_CACHE_SIZE)
        self.processed_context_memo: LRUCache[Any, Any] = LRUCache(
            maxsize=PROCESSED_CONTEXT_MEMO_SIZE
        )
        # Compiled document shapes (see shapes.py), also guarded by ``lock``; None to
        # canonicalise every document in full.
        self.shapes: ShapeCache | None = ShapeCache() if shapes else None
        self.lock = threading.RLock()

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(self._documents)

    def __contains__(self, url: object) -> bool:
        return url in self._documents

    def document(self, url: str) -> Mapping[str, Any]:
        """The parsed context document for ``url`` (read-only: do not mutate)."""
        try:
            return self._documents[url]
        except KeyError:
            raise UnknownContextError(url) from None

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        document = self.document(url)
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            # PyLD may rewrite nested context URLs in place: hand it its own copy. This
            # only happens once per URL thanks to the "static" tag below.
            "document": copy.deepcopy(document),
            # "static" lets PyLD's ContextResolver cache the processed context by URL.
            "tag": "static",
        }

    def context_resolver(self) -> ContextResolver:
        """A fresh resolver for one JSON-LD operation, sharing this loader's cache.

        (The resolver keeps an unbounded per-operation cache, so it must not be reused
        across operations on untrusted input.)
        """
        return ContextResolver(self._resolved_cache, self)

    def extended(self, documents: Mapping[str, str | Mapping[str, Any]]) -> ContextLoader:
        """A new loader serving this loader's documents plus ``documents``."""
        merged: dict[str, str | Mapping[str, Any]] = dict(self._documents)
        merged.update(documents)
        return ContextLoader(merged, shapes=self.shapes is not None)

    def restricted(self, urls: Iterable[str]) -> ContextLoader:
        """A new loader serving only ``urls`` (which must all be known here)."""
        return ContextLoader(
            {url: self.document(url) for url in urls}, shapes=self.shapes is not None
        )


@cache
def default_loader() -> ContextLoader:
    """The production loader: VC 2.0, Data Integrity, Multikey and Open Badges 3.0."""
    return ContextLoader(BUNDLED_CONTEXTS)


@cache
def examples_loader() -> ContextLoader:
    """:func:`default_loader` plus the W3C examples context (test vectors only)."""
    return default_loader().extended(EXAMPLE_CONTEXTS)
