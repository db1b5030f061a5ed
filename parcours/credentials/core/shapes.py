"""Canonicalisation by document shape: expand once per shape, substitute, hash.

Every credential of one achievement has the same *shape*: the same keys, nesting, list
lengths, numbers, booleans and ``@context``; only strings differ (ids, names, dates, the
hashed e-mail, the status index). JSON-LD expansion and RDF conversion of such documents
differ only where those strings land, so a shape is turned into RDF once — with a unique
*placeholder* in place of each string — and every later document of that shape only
substitutes its strings into the recorded quads and runs the blank-node labelling of
RDFC-1.0 on them.

Why the result is exactly what a full canonicalisation gives
-----------------------------------------------------------

A template is only used for a string position ("slot") when expansion provably treated
that slot's value as opaque data:

* **literal slots**: the placeholder came out, unchanged, as the lexical value of a literal
  whose datatype is neither ``xsd:double`` nor ``rdf:JSON`` (the only two datatypes under
  which PyLD rewrites a string). Expansion only copies such a value into ``@value``.
* **IRI slots**: the placeholder came out, unchanged, as a subject or object IRI, and was
  only ever IRI-expanded *without* vocabulary mapping (``@id`` values and ``@id``-typed
  terms). With no document base (see canonical.py), that expansion depends on nothing but
  the prefix before the first ``:`` (a term that is a prefix), whether the rest starts with
  ``//``, and whether the whole value is an absolute IRI. The placeholder keeps the first
  document's prefix and ``//``; a template's IRI slot only accepts values with that same
  prefix and ``//``, and a value that is not an absolute IRI is left to the full path
  (which refuses it).
* every other string — ``type`` values (which choose type-scoped contexts), anything that
  went through vocabulary expansion, a language tag, an ``@index``, a placeholder that
  came out altered, twice in one term, or not at all — is **pinned**: the template is
  rebuilt with the document's own value there, and only serves documents with that exact
  value. Pinning is repeated until nothing new needs pinning.

Substituted values could make two nodes or two statements equal where the placeholders
were distinct (JSON-LD merges nodes with the same ``@id`` and drops duplicate values):
a document whose IRI slots are not all distinct from each other and from the template's
fixed IRIs, or whose statements are not all distinct, goes to the full path. So do
documents whose blank nodes are not all told apart by their first-degree hashes (RDFC's
N-degree step), and any shape whose template cannot be built.

Costs and limits. A shape is only compiled the second time it is seen (a stream of unique
shapes costs one full canonicalisation each, plus a walk of the document); compiling costs
at most ``MAX_ROUNDS`` expansions; at most ``MAX_TEMPLATES_PER_SHAPE`` variants (different
pinned values) are kept per shape and ``MAX_SHAPES`` shapes per loader. So a document sent
by a stranger to the verification page costs at most ``MAX_ROUNDS + 1`` full
canonicalisations, and usually far less than one.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from pyld.nquads import escape

# The datatypes under which PyLD rewrites a string literal's lexical form.
_XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
_RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

MAX_SHAPES = 256
MAX_TEMPLATES_PER_SHAPE = 8
# Pinning rounds before a shape is given up (each round is one expansion).
MAX_ROUNDS = 4
# Keys whose string values always select contexts or types: pinned from the first round.
_PINNED_KEYS = frozenset({"type", "@type"})

# Skeleton tokens. Keys are bare ``str``; structure markers are bare ``int``; leaves are
# tuples — so a skeleton reads back unambiguously (two different shapes never collide).
_DICT, _DICT_END, _LIST, _LIST_END = 0, 1, 2, 3
_STRING = ("s",)
_TRUE = ("b", True)
_FALSE = ("b", False)
_NULL = ("n",)

#: One RDF quad as PyLD builds it: {"subject": term, "predicate": term, "object": term,
#: optional "name": term}, each term {"type": "IRI"|"blank node"|"literal", "value": …}.
Quad = dict[str, dict[str, str]]
QuadsOf = Callable[[dict[str, Any], Callable[[str], None] | None], list[Quad]]


class Unsupported(Exception):
    """The document cannot be handled by shape (left to the full path)."""


def skeleton(document: Mapping[str, Any]) -> tuple[tuple[Any, ...], list[str]]:
    """The document's shape (hashable) and its strings, in document order."""
    tokens: list[Any] = []
    strings: list[str] = []
    try:
        _walk(document, tokens, strings, None)
    except RecursionError as error:
        raise Unsupported("too deep") from error
    return tuple(tokens), strings


def _walk(node: Any, tokens: list[Any], strings: list[str], key: str | None) -> None:
    kind = type(node)
    if kind is str:
        tokens.append(_STRING)
        strings.append(node)
    elif kind is dict:
        tokens.append(_DICT)
        for name, value in node.items():
            if type(name) is not str:
                raise Unsupported("non-string key")
            tokens.append(name)
            if name == "@context":
                try:
                    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
                except (TypeError, ValueError) as error:
                    raise Unsupported("context is not JSON") from error
                tokens.append(("c", text))
            else:
                _walk(value, tokens, strings, name)
        tokens.append(_DICT_END)
    elif kind is list:
        tokens.append(_LIST)
        for item in node:
            _walk(item, tokens, strings, key)
        tokens.append(_LIST_END)
    elif kind is bool:
        tokens.append(_TRUE if node else _FALSE)
    elif kind is int:
        tokens.append(("i", node))
    elif kind is float:
        tokens.append(("f", repr(node)))
    elif node is None:
        tokens.append(_NULL)
    else:
        raise Unsupported(f"not JSON: {kind.__name__}")


def _pinned_by_key(node: Any, out: set[int], counter: list[int], key: str | None) -> None:
    """Slots under a ``type`` / ``@type`` key (same order as :func:`_walk`)."""
    kind = type(node)
    if kind is str:
        if key in _PINNED_KEYS:
            out.add(counter[0])
        counter[0] += 1
    elif kind is dict:
        for name, value in node.items():
            if name != "@context":
                _pinned_by_key(value, out, counter, name)
    elif kind is list:
        for item in node:
            _pinned_by_key(item, out, counter, key)


def _rebuild(node: Any, values: list[str], counter: list[int]) -> Any:
    """A copy of ``node`` whose strings are ``values`` (same order as :func:`_walk`)."""
    kind = type(node)
    if kind is str:
        value = values[counter[0]]
        counter[0] += 1
        return value
    if kind is dict:
        return {
            name: (value if name == "@context" else _rebuild(value, values, counter))
            for name, value in node.items()
        }
    if kind is list:
        return [_rebuild(item, values, counter) for item in node]
    return node


def _iri_class(value: str) -> tuple[str, bool] | None:
    """What IRI expansion without vocabulary looks at: the prefix and ``//``."""
    colon = value.find(":")
    if colon <= 0:
        return None
    return value[:colon], value.startswith("//", colon + 1)


# --- Templates ------------------------------------------------------------------------

# A compiled quad: constant text (str), a slot (int >= 0) or a blank node (int < 0,
# node n is -1 - n).
Parts = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Template:
    pinned: tuple[tuple[int, str], ...]
    iri_slots: tuple[tuple[int, str, bool], ...]
    literal_slots: tuple[int, ...]
    fixed_iris: frozenset[str]
    blank_nodes: int
    quads: tuple[Parts, ...]
    # Per blank node: its quads with itself as _:a and the others as _:z (merged text).
    first_degree: tuple[tuple[Parts, ...], ...]

    def matches(self, strings: list[str]) -> bool:
        for index, value in self.pinned:
            if strings[index] != value:
                return False
        for index, prefix, slashes in self.iri_slots:
            if _iri_class(strings[index]) != (prefix, slashes):
                return False
        return True

    def canonicalize(self, strings: list[str], absolute_iri: re.Pattern[str]) -> str | None:
        """The canonical N-Quads for ``strings``, or None to use the full path."""
        rendered: dict[int, str] = {}
        iris = set()
        for index, _prefix, _slashes in self.iri_slots:
            value = strings[index]
            if not absolute_iri.match(value) or value.startswith("_:"):
                return None
            iris.add(value)
            rendered[index] = "<" + value + ">"
        if len(iris) != len(self.iri_slots) or not iris.isdisjoint(self.fixed_iris):
            return None
        for index in self.literal_slots:
            rendered[index] = '"' + escape(strings[index]) + '"'
        labels: list[str] = []
        if self.blank_nodes:
            hashes = []
            for node, parts_list in enumerate(self.first_degree):
                lines = sorted(_render(parts, rendered, labels) for parts in parts_list)
                hashes.append((hashlib.sha256("".join(lines).encode("utf-8")).hexdigest(), node))
            hashes.sort()
            if any(hashes[i][0] == hashes[i + 1][0] for i in range(len(hashes) - 1)):
                return None  # RDFC's N-degree step: left to the full path
            labels = [""] * self.blank_nodes
            for position, (_hash, node) in enumerate(hashes):
                labels[node] = f"_:c14n{position}"
        lines = [_render(parts, rendered, labels) for parts in self.quads]
        if len(set(lines)) != len(lines):
            return None  # substituted values made two statements equal
        lines.sort()
        return "".join(lines)


def _render(parts: Parts, rendered: dict[int, str], labels: list[str]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part >= 0:
            out.append(rendered[part])
        else:
            out.append(labels[-1 - part])
    return "".join(out)


def _merge(parts: list[str | int]) -> Parts:
    merged: list[str | int] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return tuple(merged)


class _Builder:
    """Compiles the quads of a placeholder run into a :class:`Template`."""

    def __init__(self, nonce: str, placeholders: dict[str, int]) -> None:
        self.nonce = nonce
        self.token = re.compile(re.escape(nonce) + r"n(\d+)z")
        self.placeholders = placeholders  # placeholder text -> slot
        self.pin: set[int] = set()
        self.kinds: dict[int, str] = {}  # slot -> "iri" | "literal"
        self.blank: dict[str, int] = {}
        self.fixed_iris: set[str] = set()

    def _tokens(self, text: str) -> None:
        if self.nonce in text:
            self.pin.update(int(found) for found in self.token.findall(text))

    def _slot(self, text: str, kind: str) -> int | None:
        if self.nonce not in text:
            return None
        slot = self.placeholders.get(text)
        if slot is None or self.kinds.setdefault(slot, kind) != kind:
            self._tokens(text)
            if slot is not None:
                self.pin.add(slot)
            return None
        return slot

    def _blank(self, label: str) -> int:
        return -1 - self.blank.setdefault(label, len(self.blank))

    def term(self, term: dict[str, str], node_position: bool) -> list[str | int]:
        kind, value = term["type"], term["value"]
        if kind == "blank node":
            self._tokens(value)
            return [self._blank(value)]
        if kind == "IRI":
            if node_position:
                slot = self._slot(value, "iri")
                if slot is not None:
                    return [slot]
                self.fixed_iris.add(value)
            else:
                self._tokens(value)
            return ["<" + value + ">"]
        # literal
        datatype = term.get("datatype", _XSD_STRING)
        language = term.get("language")
        self._tokens(datatype)
        if language:
            self._tokens(language)
        suffix = ""
        if datatype == _RDF_LANGSTRING:
            if language:
                suffix = "@" + language
        elif datatype != _XSD_STRING:
            suffix = "^^<" + datatype + ">"
        slot = None
        if datatype not in (_XSD_DOUBLE, _RDF_JSON):
            slot = self._slot(value, "literal")
        else:
            self._tokens(value)
        if slot is not None:
            return [slot, suffix] if suffix else [slot]
        return ['"' + escape(value) + '"' + suffix]

    def quad(self, quad: Quad) -> list[str | int]:
        parts: list[str | int] = [*self.term(quad["subject"], True), " "]
        predicate = quad["predicate"]
        self._tokens(predicate["value"])
        parts.append("<" + predicate["value"] + ">" if predicate["type"] == "IRI" else "")
        parts.append(" ")
        parts.extend(self.term(quad["object"], True))
        name = quad.get("name")
        if name is not None:
            if name["type"] == "blank node":
                self._tokens(name["value"])
                parts.extend([" ", self._blank(name["value"])])
            else:
                self._tokens(name["value"])
                parts.append(" <" + name["value"] + ">")
        parts.append(" .\n")
        return parts


def build_template(
    quads_of: QuadsOf, document: Mapping[str, Any], strings: list[str]
) -> Template | None:
    """A template for ``document``'s shape and pinned values, or None if none can be
    built. ``quads_of(document, on_vocab_iri)`` is the full path up to (not including)
    blank-node labelling: it must call ``on_vocab_iri(value)`` for every string it
    IRI-expands with vocabulary mapping, and raise on anything it refuses."""
    pinned: set[int] = set()
    _pinned_by_key(document, pinned, [0], None)
    for _round in range(MAX_ROUNDS):
        nonce = "x" + secrets.token_hex(8)
        values: list[str] = []
        placeholders: dict[str, int] = {}
        for index, value in enumerate(strings):
            if index in pinned:
                values.append(value)
                continue
            token = f"{nonce}n{index}z"
            shape = _iri_class(value)
            if shape is None:
                placeholder = "p" + token
            else:
                placeholder = shape[0] + ":" + ("//" if shape[1] else "") + token
            values.append(placeholder)
            placeholders[placeholder] = index
        builder = _Builder(nonce, placeholders)
        flagged: set[int] = set()

        def on_vocab_iri(
            value: str, builder: _Builder = builder, flagged: set[int] = flagged
        ) -> None:
            if builder.nonce in value:
                flagged.update(int(found) for found in builder.token.findall(value))

        try:
            quads = quads_of(_rebuild(document, values, [0]), on_vocab_iri)
        except Exception:  # the full path refused the placeholder document
            if flagged - pinned:
                pinned |= flagged
                continue
            return None
        compiled = [builder.quad(quad) for quad in quads]
        builder.pin |= flagged
        builder.pin.update(slot for slot in placeholders.values() if slot not in builder.kinds)
        if builder.pin - pinned:
            pinned |= builder.pin
            continue
        return _template(strings, pinned, builder, compiled)
    return None


def _template(
    strings: list[str], pinned: set[int], builder: _Builder, compiled: list[list[str | int]]
) -> Template:
    nodes = len(builder.blank)
    first_degree: list[list[Parts]] = [[] for _ in range(nodes)]
    for parts in compiled:
        for part in parts:
            if isinstance(part, int) and part < 0:
                # A quad is hashed once per position the node holds (PyLD's URDNA2015).
                node = -1 - part
                first_degree[node].append(
                    _merge(
                        [
                            p
                            if not (isinstance(p, int) and p < 0)
                            else ("_:a" if -1 - p == node else "_:z")
                            for p in parts
                        ]
                    )
                )
    iri_slots = []
    literal_slots = []
    for slot, kind in sorted(builder.kinds.items()):
        if kind == "iri":
            shape = _iri_class(strings[slot])
            assert shape is not None  # noqa: S101 - placeholders of IRI slots have a prefix
            iri_slots.append((slot, shape[0], shape[1]))
        else:
            literal_slots.append(slot)
    return Template(
        pinned=tuple((slot, strings[slot]) for slot in sorted(pinned)),
        iri_slots=tuple(iri_slots),
        literal_slots=tuple(literal_slots),
        fixed_iris=frozenset(builder.fixed_iris),
        blank_nodes=nodes,
        quads=tuple(_merge(parts) for parts in compiled),
        first_degree=tuple(tuple(item) for item in first_degree),
    )


class ShapeCache:
    """Templates of one loader, by shape (not thread safe: used under the loader's lock)."""

    def __init__(self) -> None:
        self.templates: LRUCache[tuple[Any, ...], list[Template]] = LRUCache(maxsize=MAX_SHAPES)
        # Shapes seen once (compiled on the second sighting) or given up (-1).
        self.seen: LRUCache[tuple[Any, ...], int] = LRUCache(maxsize=MAX_SHAPES * 4)
        self.hits = 0
        self.misses = 0

    def canonicalize(
        self,
        document: Mapping[str, Any],
        quads_of: QuadsOf,
        absolute_iri: re.Pattern[str],
    ) -> str | None:
        """Canonical N-Quads by template, or None when the full path must do it."""
        try:
            shape, strings = skeleton(document)
        except Unsupported:
            return None
        candidates = self.templates.get(shape)
        if candidates is not None:
            for template in candidates:
                if template.matches(strings):
                    result = template.canonicalize(strings, absolute_iri)
                    if result is not None:
                        self.hits += 1
                    return result
        count = self.seen.get(shape, 0)
        if count < 0 or (candidates is not None and len(candidates) >= MAX_TEMPLATES_PER_SHAPE):
            return None
        if candidates is None and count == 0:
            self.seen[shape] = 1  # compile on the second sighting
            return None
        self.misses += 1
        built = build_template(quads_of, document, strings)
        if built is None:
            self.seen[shape] = -1
            return None
        self.templates[shape] = [*(candidates or []), built]
        return built.canonicalize(strings, absolute_iri)
