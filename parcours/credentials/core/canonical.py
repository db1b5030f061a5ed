"""RDF Dataset Canonicalization (RDFC-1.0, a.k.a. URDNA2015) of JSON-LD documents via PyLD.

Canonicalisation runs in a *safe mode* equivalent to jsonld.js ``safe: true`` (what Data
Integrity implementations use): whenever JSON-LD expansion or RDF conversion would
silently drop or rewrite data — a term no context defines, a relative ``@id`` / ``@type``
(which PyLD would otherwise resolve against ``http://example.org/base/``), a blank node
predicate — canonicalisation fails instead, so an issuer never signs, and a verifier
never accepts, a credential whose signed statements differ from what its JSON shows.

Speed. ``jsonld.normalize`` spends almost all of its time in JSON-LD expansion, not in
RDFC itself. Three things are done here to make it faster; all give output identical to
``jsonld.normalize`` (asserted by the tests against the public API):

* documents of a shape already seen (every credential of one achievement, every proof
  configuration of one issuer) are not expanded at all: their strings are substituted into
  the RDF of the shape and only RDFC's blank-node labelling runs (shapes.py, where the
  conditions that make this exact are spelled out; property-tested against the full path);

* the document is expanded once (``normalize`` would expand an already expanded copy a
  second time), then turned into an RDF dataset and canonicalised with PyLD's own
  node-map / ``URDNA2015`` code;
* type-scoped contexts (``Profile``, ``Achievement``, ``AchievementSubject``…, which
  OB 3.0 relies on heavily) are processed once per loader instead of once per node:
  PyLD caches processed contexts by active-context id, but non-propagating type-scoped
  contexts always get a fresh id, so its cache never hits for them. The memo below is
  keyed on the *identity* of the (immutable, frozen) active context and of the local
  context object, and keeps both alive, so a hit can only ever return the result of the
  very same computation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from parcours.credentials.core.contexts import ContextLoader, default_loader
from parcours.credentials.core.errors import CanonicalizationError, UnknownContextError
from parcours.credentials.core.shapes import Quad

# Same test PyLD applies before emitting an IRI as RDF (``jsonld._is_absolute_iri``).
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")

# Keywords whose values are IRIs that PyLD drops from the RDF output when relative.
_IRI_KEYWORDS = ("@id", "@type")

_EXPECTED_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError)


def _dropped(term: str | None) -> NoReturn:
    raise CanonicalizationError(
        f"term {term!r} is not defined by any @context and would be dropped"
    )


class _Processor(jsonld.JsonLdProcessor):
    """PyLD processor that fails on dropped terms and memoises context processing."""

    def __init__(self, memo: LRUCache[Any, Any]) -> None:
        super().__init__(on_property_dropped=_dropped)
        self._memo = memo

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: set[str] | None = None,
    ) -> Any:
        if not isinstance(active_ctx, frozendict):
            # A context under construction (mutable): never memoise.
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected=override_protected,
                propagate=propagate,
                validate_scoped=validate_scoped,
                cycles=cycles,
            )
        key = (
            id(active_ctx),
            id(local_ctx),
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
        )
        hit = self._memo.get(key)
        if hit is not None and hit[0] is active_ctx and hit[1] is local_ctx:
            return hit[2]
        result = super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected=override_protected,
            propagate=propagate,
            validate_scoped=validate_scoped,
            cycles=cycles,
        )
        # Keep active_ctx and local_ctx alive with the entry: their ids cannot be reused.
        self._memo[key] = (active_ctx, local_ctx, result)
        return result


class _RecordingProcessor(_Processor):
    """A :class:`_Processor` that reports every string it IRI-expands with vocabulary
    mapping (``@type`` values, ``@vocab``-typed terms): what shapes.py must pin."""

    def __init__(self, memo: LRUCache[Any, Any], on_vocab_iri: Callable[[str], None]) -> None:
        super().__init__(memo)
        self._on_vocab_iri = on_vocab_iri

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: Any = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        if vocab and isinstance(value, str):
            self._on_vocab_iri(value)
        return super()._expand_iri(
            active_ctx, value, base=base, vocab=vocab, local_ctx=local_ctx, defined=defined
        )


def _describe(error: BaseException) -> str:
    """Short description of a PyLD error chain (its str() dumps whole contexts)."""
    messages: list[str] = []
    current: BaseException | None = error
    while current is not None and len(messages) < 5:
        text = str(current.args[0]) if current.args else type(current).__name__
        code = getattr(current, "code", None)
        messages.append(f"{text} ({code})" if code else text)
        current = current.__cause__
    return ": ".join(messages)[:500]


def _unknown_context_in(error: BaseException) -> UnknownContextError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, UnknownContextError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _check_iri(value: Any, keyword: str, path: str) -> None:
    if not isinstance(value, str) or not _ABSOLUTE_IRI.match(value):
        raise CanonicalizationError(
            f"{keyword} value {value!r} at {path} is not an absolute IRI and would be dropped"
        )


def _check_expanded(node: Any, path: str = "$") -> None:
    """Refuse expanded JSON-LD that RDF conversion would silently truncate."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check_expanded(item, f"{path}[{index}]")
        return
    if not isinstance(node, dict):
        return
    is_value = "@value" in node
    for keyword in _IRI_KEYWORDS:
        if keyword not in node:
            continue
        value = node[keyword]
        if keyword == "@type" and is_value and value == "@json":
            continue
        for item in value if isinstance(value, list) else [value]:
            _check_iri(item, keyword, path)
    if is_value:
        return
    for key, value in node.items():
        if key in ("@id", "@type", "@context"):
            continue
        if key.startswith("_:"):
            raise CanonicalizationError(f"blank node property {key!r} at {path} would be dropped")
        _check_expanded(value, f"{path}.{key}")


def _options(loader: ContextLoader) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": loader.context_resolver(),
        # No document base. With base "" PyLD (3.x) resolves relative IRIs against
        # "http://example.org/base/", silently inventing statements that jsonld.js would
        # drop; with None they stay relative and _check_expanded refuses them.
        "base": None,
        "processingMode": "json-ld-1.1",
        "extractAllScripts": False,
    }


def _expand(processor: _Processor, document: Mapping[str, Any], loader: ContextLoader) -> list[Any]:
    if not isinstance(document, Mapping):
        raise CanonicalizationError("a JSON-LD document must be a JSON object")
    try:
        expanded: list[Any] = processor.expand(dict(document), _options(loader))
    except CanonicalizationError:
        raise
    except jsonld.JsonLdError as error:
        unknown = _unknown_context_in(error)
        if unknown is not None:
            raise UnknownContextError(unknown.url) from error
        raise CanonicalizationError(f"invalid JSON-LD: {_describe(error)}") from error
    except _EXPECTED_ERRORS as error:
        raise CanonicalizationError(f"invalid JSON-LD: {error!r}") from error
    _check_expanded(expanded)
    return expanded


def expand(document: Mapping[str, Any], *, loader: ContextLoader | None = None) -> list[Any]:
    """JSON-LD expansion in safe mode (see module docstring)."""
    loader = loader or default_loader()
    with loader.lock:
        return _expand(_Processor(loader.processed_context_memo), document, loader)


def canonicalize(document: Mapping[str, Any], *, loader: ContextLoader | None = None) -> str:
    """Canonical N-Quads (RDFC-1.0) of a JSON-LD document, contexts served offline.

    Raises :class:`CanonicalizationError` (or its subclass :class:`UnknownContextError`)
    for anything that cannot be canonicalised safely. Never touches the network.

    Documents of a shape already seen are canonicalised from that shape's template
    (shapes.py), which gives exactly the full path's output; anything else takes the
    full path (:func:`canonicalize_full`).
    """
    loader = loader or default_loader()
    with loader.lock:
        memo = loader.processed_context_memo

        def quads_of(doc: dict[str, Any], on_vocab_iri: Callable[[str], None] | None) -> list[Quad]:
            processor = (
                _RecordingProcessor(memo, on_vocab_iri) if on_vocab_iri else _Processor(memo)
            )
            return _quads(_dataset(processor, doc, loader))

        if loader.shapes is not None:
            fast = loader.shapes.canonicalize(document, quads_of, _ABSOLUTE_IRI)
            if fast is not None:
                return fast
        return _canonicalize(_Processor(memo), document, loader)


def canonicalize_full(document: Mapping[str, Any], *, loader: ContextLoader | None = None) -> str:
    """:func:`canonicalize` without shape templates: expansion, RDF, RDFC-1.0 every time
    (the reference the templates are tested against)."""
    loader = loader or default_loader()
    with loader.lock:
        return _canonicalize(_Processor(loader.processed_context_memo), document, loader)


def _dataset(
    processor: _Processor, document: Mapping[str, Any], loader: ContextLoader
) -> dict[str, Any]:
    """The RDF dataset of a document, as PyLD's ``to_rdf`` builds it (one expansion)."""
    expanded = _expand(processor, document, loader)
    options: dict[str, Any] = {
        "produceGeneralizedRdf": False,
        "processingMode": "json-ld-1.1",
        "format": "application/n-quads",
    }
    try:
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset: dict[str, Any] = {}
        for graph_name, graph in sorted(node_map.items()):
            if graph_name != "@default" and not _ABSOLUTE_IRI.match(graph_name):
                raise CanonicalizationError(f"graph name {graph_name!r} is not an absolute IRI")
            dataset[graph_name] = processor._graph_to_rdf(graph, issuer, options)
    except CanonicalizationError:
        raise
    except jsonld.JsonLdError as error:
        raise CanonicalizationError(f"cannot canonicalise: {_describe(error)}") from error
    except _EXPECTED_ERRORS as error:
        raise CanonicalizationError(f"cannot canonicalise: {error!r}") from error
    return dataset


def _quads(dataset: dict[str, Any]) -> list[Quad]:
    """The dataset as the list of quads URDNA2015 works on (graph name in ``name``)."""
    quads: list[Quad] = []
    for graph_name, triples in dataset.items():
        for triple in triples:
            if graph_name != "@default":
                kind = "blank node" if graph_name.startswith("_:") else "IRI"
                triple = {**triple, "name": {"type": kind, "value": graph_name}}
            quads.append(triple)
    return quads


def _canonicalize(processor: _Processor, document: Mapping[str, Any], loader: ContextLoader) -> str:
    dataset = _dataset(processor, document, loader)
    options = {"format": "application/n-quads"}
    try:
        canonical: str = URDNA2015().main(dataset, options)
    except jsonld.JsonLdError as error:
        raise CanonicalizationError(f"cannot canonicalise: {_describe(error)}") from error
    except _EXPECTED_ERRORS as error:
        raise CanonicalizationError(f"cannot canonicalise: {error!r}") from error
    return canonical
