"""Pure-Python rule engine for pathway completion rules.

A pathway's completion rule is stored as a JSON object tree::

    {"all_of": [rule, ...]}               every child satisfied
    {"any_of": [rule, ...]}               at least one child satisfied
    {"at_least": n, "of": [rule, ...]}    at least n children satisfied (bare ints allowed)
    {"min_hours": h, "of": [id, ...]}     completed hours over the listed modules >= h
    {"min_hours": h}                      ... over any module of the pathway
    {"module": id}                        that module is completed

This module parses and validates that JSON into a small typed AST (``parse_rule``), writes it
back (``rule_to_data``), offers a compact text syntax for coordinators (``parse_text`` /
``format_text``), evaluates a rule for one learner with a learner-friendly progress count and
explanation (``evaluate`` / ``explain``), and compiles it into a fast predicate for bulk use
(``compile_rule`` / ``evaluate_many``).

It deliberately knows nothing about the ORM: callers pass plain mappings.

Requirement counting (``Evaluation.met`` / ``Evaluation.total``) -- a "requirement" is one
thing a learner must still obtain:

* ``module``: 1 requirement.
* ``min_hours``: 1 requirement (met when the hours are reached).
* ``all_of``: the sum of its children's requirements.
* ``at_least n``: the sum of the ``n`` smallest children totals (so ``2 of 8`` modules counts 2).
  When satisfied, ``met == total``; otherwise ``met`` is the sum of the ``n`` best children's
  ``met`` values, capped at ``total - 1``.
* ``any_of``: exactly ``at_least 1`` (so ``M1A | M1B`` counts 1).

``total`` depends only on the rule, never on the learner; ``met`` never decreases when a
completion is added, ``0 <= met <= total``, and ``met == total`` exactly when the rule is
satisfied.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, TypeGuard

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

__all__ = [
    "AllOf",
    "AnyOf",
    "AtLeast",
    "Completion",
    "Evaluation",
    "MinHours",
    "Missing",
    "ModuleInfo",
    "ModuleReq",
    "Predicate",
    "Rule",
    "RuleError",
    "RuleErrors",
    "compile_rule",
    "describe_path",
    "evaluate",
    "evaluate_many",
    "explain",
    "format_text",
    "module_ids",
    "parse_rule",
    "parse_text",
    "rule_to_data",
]

#: Maximum nesting depth accepted from JSON or text (protects against runaway recursion).
MAX_DEPTH = 32
#: Tolerance used when comparing hour totals (floating point sums).
HOURS_EPSILON = 1e-9

RuleData: TypeAlias = dict[str, Any]
Completion: TypeAlias = AbstractSet[int] | Mapping[int, float]
Predicate: TypeAlias = Callable[[Completion], bool]


# --------------------------------------------------------------------------------------------
# AST
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """What the validator needs to know about a module (built by the caller from the ORM)."""

    id: int
    code: str
    title: str
    hours: float
    published: bool = True


@dataclass(frozen=True, slots=True)
class Rule:
    """Base class of the rule AST."""


@dataclass(frozen=True, slots=True)
class ModuleReq(Rule):
    module: int


@dataclass(frozen=True, slots=True)
class AllOf(Rule):
    children: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class AnyOf(Rule):
    children: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class AtLeast(Rule):
    n: int
    children: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class MinHours(Rule):
    hours: float
    #: ``None`` means "any module of the pathway".
    modules: tuple[int, ...] | None = None


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class RuleError(ValueError):
    """One problem in a rule.

    ``path`` is a JSON-pointer-like location in the JSON data (``"/all_of/1/of/3"``, ``""`` for
    the whole rule); ``position`` is the 0-based character offset for text-syntax errors.
    """

    def __init__(self, message: str, path: str = "", *, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.position = position

    @property
    def errors(self) -> list[RuleError]:
        return [self]

    @property
    def location(self) -> str:
        """Where the problem is, in words a coordinator understands ("dans la 2e condition du
        « et »"); empty for the whole rule (and for text errors, which give a position)."""
        return describe_path(self.path)

    @property
    def user_message(self) -> str:
        """The message for people: its location in words, never the machine ``path``."""
        where = self.location
        if not where:
            return self.message
        message = self.message[:1].lower() + self.message[1:]
        # Translators: "<where in the rule> : <what is wrong>".
        return _("%(where)s : %(message)s") % {"where": where, "message": message}

    def __str__(self) -> str:
        """With the machine path (``/all_of/1/module``), for logs and programs."""
        return f"{self.path}: {self.message}" if self.path else self.message

    def __repr__(self) -> str:
        return f"RuleError({self.message!r}, {self.path!r})"


class RuleErrors(RuleError):
    """Several problems at once; behaves like its first error, lists them all in ``errors``."""

    def __init__(self, errors: Sequence[RuleError]) -> None:
        flat = [e for err in errors for e in err.errors]
        if not flat:
            raise ValueError("RuleErrors needs at least one error")
        first = flat[0]
        super().__init__(first.message, first.path, position=first.position)
        self._errors = flat

    @property
    def errors(self) -> list[RuleError]:
        return list(self._errors)

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self._errors]

    @property
    def user_messages(self) -> list[str]:
        return [e.user_message for e in self._errors]

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self._errors)

    def __repr__(self) -> str:
        return f"RuleErrors({self._errors!r})"


# --------------------------------------------------------------------------------------------
# Small formatting helpers
# --------------------------------------------------------------------------------------------


def _num(value: float) -> int | float:
    """Integral floats as ints (30.0 -> 30), others unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fmt_hours(value: float) -> str:
    """Hours in the active language: ``6``, ``7,5`` in French, ``7.5`` in English."""
    rounded = round(float(value), 2)
    if rounded.is_integer():
        return str(int(rounded))
    text = f"{rounded:.2f}".rstrip("0").rstrip(".")
    # Translators: the decimal separator used in hour counts ("7,5 heures" / "7.5 hours").
    return text.replace(".", _(","))


def _hours_count(hours: float) -> int:
    """The count that picks singular or plural for a number of hours (1,5 heures / 1.5 hours)."""
    if float(hours).is_integer():
        return int(hours)
    # French counts 1,5 as singular ("1,5 heure"); English makes any fraction plural.
    return int(hours) if (get_language() or "fr").startswith("fr") else math.ceil(hours)


def _show(value: object) -> str:
    """A short rendering of a user-supplied JSON value for error messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _ptr(base: str, token: object) -> str:
    text = str(token).replace("~", "~0").replace("/", "~1")
    return f"{base}/{text}"


def _ordinal(n: int, *, feminine: bool) -> str:
    """1re/1er, 2e… in French; 1st, 2nd, 3rd, 4th… in English."""
    if (get_language() or "fr").startswith("en"):
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if n == 1:
        return "1re" if feminine else "1er"
    return f"{n}e"


def describe_path(path: str) -> str:
    """A rule error's ``path`` (``/all_of/1/of/3``) in words, outermost part first: "Dans la
    2e condition du « et », le 4e élément d'une liste « parmi »". Empty for ``""``."""
    steps = [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")[1:]]
    places: list[str] = []
    index = 0
    while index < len(steps):
        step = steps[index]
        following = steps[index + 1] if index + 1 < len(steps) else None
        if step in ("all_of", "any_of", "of") and following is not None and following.isdigit():
            n = int(following) + 1
            if step == "all_of":
                place = _("la %(nth)s condition du « et »") % {"nth": _ordinal(n, feminine=True)}
            elif step == "any_of":
                place = _("la %(nth)s possibilité du « ou »") % {"nth": _ordinal(n, feminine=True)}
            else:
                place = _("le %(nth)s élément d'une liste « parmi »") % {
                    "nth": _ordinal(n, feminine=False)
                }
            places.append(place)
            index += 2
            continue
        if step == "all_of":
            places.append(_("la liste du « et »"))
        elif step == "any_of":
            places.append(_("la liste du « ou »"))
        elif step == "of":
            places.append(_("la liste « parmi »"))
        elif step == "at_least":
            places.append(_("le nombre d'un « … parmi »"))
        elif step == "min_hours":
            places.append(_("le nombre d'heures"))
        elif step != "module":  # a module reference is the element itself
            places.append(_("la clé « %(key)s »") % {"key": step})
        index += 1
    if not places:
        return ""
    # Translators: the start of a location in a rule ("Dans la 2e condition du « et », …").
    return _("Dans %(places)s") % {"places": ", ".join(places)}


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# JSON -> AST
# --------------------------------------------------------------------------------------------

_KINDS = ("all_of", "any_of", "at_least", "min_hours", "module")
_ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "all_of": frozenset({"all_of"}),
    "any_of": frozenset({"any_of"}),
    "at_least": frozenset({"at_least", "of"}),
    "min_hours": frozenset({"min_hours", "of"}),
    "module": frozenset({"module"}),
}


class _JsonParser:
    def __init__(self, known: Mapping[int, ModuleInfo] | None) -> None:
        self.known = known
        self.errors: list[RuleError] = []

    def error(self, message: str, path: str) -> None:
        self.errors.append(RuleError(message, path))

    def module_label(self, module_id: int) -> str:
        info = self.known.get(module_id) if self.known is not None else None
        if info is None:
            return _("n° %(id)d") % {"id": module_id}
        return _("« %(code)s — %(title)s »") % {"code": info.code, "title": info.title}

    # -- entry points -------------------------------------------------------------------------

    def rule(self, data: object, path: str, depth: int, *, bare_ok: bool = False) -> Rule | None:
        if depth > MAX_DEPTH:
            self.error(_("La règle est trop profondément imbriquée."), path)
            return None
        if bare_ok and _is_int(data):
            ref = self.module_ref(data, path)
            return None if ref is None else ModuleReq(ref)
        if not isinstance(data, Mapping):
            self.error(
                _(
                    "Une règle doit être un objet avec l'une des clés all_of, any_of, "
                    "at_least, min_hours ou module (reçu : %(value)s)."
                )
                % {"value": _show(data)},
                path,
            )
            return None
        if not data:
            self.error(_("La règle est vide."), path)
            return None
        kinds = [k for k in _KINDS if k in data]
        if not kinds:
            for key in data:
                if key != "of":
                    self.error(_("Clé inconnue « %(key)s ».") % {"key": key}, _ptr(path, key))
            self.error(
                _(
                    "Type de règle manquant : utilisez all_of, any_of, at_least, "
                    "min_hours ou module."
                ),
                path,
            )
            return None
        if len(kinds) > 1:
            self.error(
                _("La règle mélange plusieurs types (%(kinds)s) ; un seul est permis.")
                % {"kinds": ", ".join(kinds)},
                path,
            )
            return None
        kind = kinds[0]
        for key in data:
            if key not in _ALLOWED_KEYS[kind]:
                self.error(_("Clé inconnue « %(key)s ».") % {"key": key}, _ptr(path, key))
        if kind == "module":
            ref = self.module_ref(data["module"], _ptr(path, "module"))
            return None if ref is None else ModuleReq(ref)
        if kind in ("all_of", "any_of"):
            return self.group(kind, data[kind], path, depth)
        if kind == "at_least":
            return self.at_least(data, path, depth)
        return self.min_hours(data, path)

    # -- pieces -------------------------------------------------------------------------------

    def module_ref(self, value: object, path: str) -> int | None:
        if not _is_int(value):
            self.error(
                _("Un module doit être désigné par son identifiant entier (reçu : %(value)s).")
                % {"value": _show(value)},
                path,
            )
            return None
        if self.known is not None:
            info = self.known.get(value)
            if info is None:
                self.error(_("Module inconnu : n° %(id)d.") % {"id": value}, path)
                return None
            if not info.published:
                self.error(
                    _("Le module %(module)s n'est pas publié.")
                    % {"module": self.module_label(value)},
                    path,
                )
                return None
        return value

    def children(self, items: list[Any], path: str, depth: int) -> tuple[Rule, ...] | None:
        result: list[Rule] = []
        ok = True
        seen: set[int] = set()
        for index, item in enumerate(items):
            item_path = _ptr(path, index)
            child = self.rule(item, item_path, depth + 1, bare_ok=True)
            if child is None:
                ok = False
                continue
            if isinstance(child, ModuleReq):
                if child.module in seen:
                    self.duplicate(child.module, item_path)
                    ok = False
                    continue
                seen.add(child.module)
            result.append(child)
        return tuple(result) if ok else None

    def duplicate(self, module_id: int, path: str) -> None:
        self.error(
            _("Le module %(module)s figure plusieurs fois dans la même liste.")
            % {"module": self.module_label(module_id)},
            path,
        )

    def list_value(self, value: object, path: str, key: str) -> list[Any] | None:
        if not isinstance(value, list | tuple):
            self.error(
                _("« %(key)s » doit être une liste (reçu : %(value)s).")
                % {"key": key, "value": _show(value)},
                path,
            )
            return None
        return list(value)

    def group(self, kind: str, value: object, path: str, depth: int) -> Rule | None:
        list_path = _ptr(path, kind)
        items = self.list_value(value, list_path, kind)
        if items is None:
            return None
        if not items:
            if kind == "all_of":
                msg = _("La règle est vide : « toutes les conditions » n'en contient aucune.")
            else:
                msg = _("La règle est vide : « l'une des conditions » n'en contient aucune.")
            self.error(msg, list_path)
            return None
        children = self.children(items, list_path, depth)
        if children is None:
            return None
        return AllOf(children) if kind == "all_of" else AnyOf(children)

    def at_least(self, data: Mapping[str, Any], path: str, depth: int) -> Rule | None:
        n = data["at_least"]
        n_path = _ptr(path, "at_least")
        n_ok = isinstance(n, int) and not isinstance(n, bool)
        shown_n = str(n) if n_ok else "…"
        if not n_ok:
            self.error(
                _("Le nombre de « au moins … parmi » doit être un entier (reçu : %(value)s).")
                % {"value": _show(n)},
                n_path,
            )
        if "of" not in data:
            self.error(
                _("« au moins %(n)s parmi … » : la liste « of » est manquante.") % {"n": shown_n},
                path,
            )
            return None
        of_path = _ptr(path, "of")
        items = self.list_value(data["of"], of_path, "of")
        if items is None:
            return None
        if not items:
            self.error(_("Aucun module dans « au moins %(n)s parmi … ».") % {"n": shown_n}, of_path)
            return None
        children = self.children(items, of_path, depth)
        if not isinstance(n, int) or isinstance(n, bool):
            return None
        if n < 1:
            self.error(
                _("« au moins %(n)d parmi … » doit demander au moins 1 module.") % {"n": n},
                n_path,
            )
            return None
        if n > len(items):
            if all(_is_int(i) or (isinstance(i, Mapping) and "module" in i) for i in items):
                msg = ngettext(
                    "La règle demande %(n)d module parmi %(count)d.",
                    "La règle demande %(n)d modules parmi %(count)d.",
                    n,
                )
            else:
                msg = ngettext(
                    "La règle demande %(n)d condition parmi %(count)d.",
                    "La règle demande %(n)d conditions parmi %(count)d.",
                    n,
                )
            self.error(msg % {"n": n, "count": len(items)}, n_path)
            return None
        if children is None:
            return None
        return AtLeast(n, children)

    def min_hours(self, data: Mapping[str, Any], path: str) -> Rule | None:
        hours = data["min_hours"]
        h_path = _ptr(path, "min_hours")
        h_ok = False
        if not _is_number(hours) or not math.isfinite(hours):
            self.error(
                _("Le nombre d'heures doit être un nombre (reçu : %(value)s).")
                % {"value": _show(hours)},
                h_path,
            )
        elif hours <= 0:
            self.error(
                _("Le nombre d'heures doit être strictement positif (reçu : %(value)s).")
                % {"value": _show(hours)},
                h_path,
            )
        else:
            h_ok = True
        shown_h = _fmt_hours(float(hours)) if h_ok else "…"

        modules: tuple[int, ...] | None = None
        ok = h_ok
        if "of" in data:
            of_path = _ptr(path, "of")
            items = self.list_value(data["of"], of_path, "of")
            if items is None:
                return None
            if not items:
                self.error(
                    _("Aucun module dans « %(hours)s heures parmi … ».") % {"hours": shown_h},
                    of_path,
                )
                return None
            refs: list[int] = []
            for index, item in enumerate(items):
                item_path = _ptr(of_path, index)
                ref = self.module_ref(item, item_path)
                if ref is None:
                    ok = False
                elif ref in refs:
                    self.duplicate(ref, item_path)
                    ok = False
                else:
                    refs.append(ref)
            modules = tuple(refs)
            if ok and self.known is not None:
                available = sum(self.known[m].hours for m in refs)
                if hours > available + HOURS_EPSILON:
                    self.error(
                        _(
                            "La règle demande %(hours)s heures, mais les modules listés "
                            "n'en totalisent que %(available)s."
                        )
                        % {"hours": shown_h, "available": _fmt_hours(available)},
                        h_path,
                    )
                    ok = False
        elif h_ok and self.known is not None:
            available = sum(info.hours for info in self.known.values() if info.published)
            if hours > available + HOURS_EPSILON:
                self.error(
                    _(
                        "La règle demande %(hours)s heures, mais les modules du parcours "
                        "n'en totalisent que %(available)s."
                    )
                    % {"hours": shown_h, "available": _fmt_hours(available)},
                    h_path,
                )
                ok = False
        if not ok:
            return None
        return MinHours(float(hours), modules)


def parse_rule(data: object, *, known_modules: Mapping[int, ModuleInfo] | None = None) -> Rule:
    """Validate JSON rule data and build the AST.

    With ``known_modules`` (the pathway's modules by id), module ids are checked to exist and be
    published, and ``min_hours`` is checked against the listed modules' durations.
    Raises ``RuleErrors`` (a ``RuleError``) listing every problem found.
    """
    parser = _JsonParser(known_modules)
    rule = parser.rule(data, "", 0)
    if parser.errors or rule is None:
        if not parser.errors:  # pragma: no cover - defensive
            parser.error(_("La règle est invalide."), "")
        raise RuleErrors(parser.errors)
    return rule


def _as_rule(rule: Rule | Mapping[str, Any]) -> Rule:
    return rule if isinstance(rule, Rule) else parse_rule(rule)


def rule_to_data(rule: Rule) -> RuleData:
    """The canonical JSON data of a rule (``parse_rule(rule_to_data(r)) == r``)."""
    if isinstance(rule, ModuleReq):
        return {"module": rule.module}
    if isinstance(rule, AllOf):
        return {"all_of": [rule_to_data(c) for c in rule.children]}
    if isinstance(rule, AnyOf):
        return {"any_of": [rule_to_data(c) for c in rule.children]}
    if isinstance(rule, AtLeast):
        return {"at_least": rule.n, "of": [rule_to_data(c) for c in rule.children]}
    if isinstance(rule, MinHours):
        data: RuleData = {"min_hours": _num(rule.hours)}
        if rule.modules is not None:
            data["of"] = list(rule.modules)
        return data
    raise TypeError(f"not a rule: {rule!r}")


def module_ids(rule: Rule) -> frozenset[int]:
    """Every module id the rule mentions (``min_hours`` without ``of`` mentions none)."""
    found: set[int] = set()
    stack: list[Rule] = [rule]
    while stack:
        node = stack.pop()
        if isinstance(node, ModuleReq):
            found.add(node.module)
        elif isinstance(node, AllOf | AnyOf | AtLeast):
            stack.extend(node.children)
        elif isinstance(node, MinHours) and node.modules is not None:
            found.update(node.modules)
    return frozenset(found)


# --------------------------------------------------------------------------------------------
# Text syntax
# --------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<punct>[(),&|])
    | (?P<ref>\#\d+)
    | (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<word>\w[\w.\-]*)
    """,
    re.VERBOSE | re.DOTALL,
)
_INT_RE = re.compile(r"\d+")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_BARE_CODE_RE = re.compile(r"\w[\w.\-]*")
_OF_WORDS = frozenset({"of", "parmi"})
_HOURS_WORDS = frozenset({"hours", "heures"})
_ALL_WORDS = frozenset({"all", "tous"})
_ANY_WORDS = frozenset({"any", "un"})
_KEYWORDS = _OF_WORDS | _HOURS_WORDS | _ALL_WORDS | _ANY_WORDS


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["punct", "ref", "str", "word"]
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            if text[pos] == '"':
                msg = _("Guillemet non fermé à la position %(pos)d.")
            else:
                msg = _("Caractère inattendu « %(char)s » à la position %(pos)d.")
            raise RuleErrors(
                [RuleError(msg % {"char": text[pos], "pos": pos + 1}, "", position=pos)]
            )
        kind = match.lastgroup
        if kind != "ws":
            tokens.append(_Token(kind, match.group(), pos))  # type: ignore[arg-type]
        pos = match.end()
    return tokens


class _TextParser:
    def __init__(self, text: str, codes: Mapping[str, int]) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.codes = codes
        self.ids = frozenset(codes.values())
        folded: dict[str, set[int]] = {}
        for code, module_id in codes.items():
            folded.setdefault(code.casefold(), set()).add(module_id)
        self.folded = folded
        self.errors: list[RuleError] = []

    # -- token helpers ------------------------------------------------------------------------

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def is_punct(self, token: _Token | None, char: str) -> bool:
        return token is not None and token.kind == "punct" and token.text == char

    def fail(self, expected: str) -> RuleErrors:
        token = self.peek()
        if token is None:
            err = RuleError(
                _("Texte incomplet : %(expected)s attendu à la fin.") % {"expected": expected},
                "",
                position=len(self.text),
            )
        else:
            err = RuleError(
                _("« %(token)s » inattendu à la position %(pos)d : %(expected)s attendu.")
                % {"token": token.text, "pos": token.pos + 1, "expected": expected},
                "",
                position=token.pos,
            )
        return RuleErrors([*self.errors, err])

    def expect(self, char: str) -> None:
        if not self.is_punct(self.peek(), char):
            raise self.fail(_("« %(char)s »") % {"char": char})
        self.index += 1

    # -- grammar ------------------------------------------------------------------------------

    def parse(self) -> RuleData:
        if not self.tokens:
            raise RuleErrors([RuleError(_("La règle est vide."), "", position=0)])
        node = self.expr(0)
        if self.peek() is not None:
            raise self.fail(_("« & », « | » ou la fin du texte"))
        if self.errors:
            raise RuleErrors(self.errors)
        return node

    def check_depth(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            token = self.peek()
            raise RuleErrors(
                [
                    *self.errors,
                    RuleError(
                        _("La règle est trop profondément imbriquée."),
                        "",
                        position=token.pos if token else len(self.text),
                    ),
                ]
            )

    def expr(self, depth: int) -> RuleData:
        self.check_depth(depth)
        first = self.and_expr(depth)
        if not self.is_punct(self.peek(), "|"):
            return first
        items = [first]
        while self.is_punct(self.peek(), "|"):
            self.index += 1
            items.append(self.and_expr(depth))
        return {"any_of": items}

    def and_expr(self, depth: int) -> RuleData:
        first = self.atom(depth)
        if not self.is_punct(self.peek(), "&"):
            return first
        items = [first]
        while self.is_punct(self.peek(), "&"):
            self.index += 1
            items.append(self.atom(depth))
        return {"all_of": items}

    def atom(self, depth: int) -> RuleData:
        token = self.peek()
        if token is None or token.kind == "punct":
            if self.is_punct(token, "("):
                self.index += 1
                node = self.expr(depth + 1)
                self.expect(")")
                return node
            raise self.fail(_("un code de module ou « ( »"))
        if token.kind == "word":
            nxt = self.peek(1)
            word = token.text.casefold()
            if (
                _INT_RE.fullmatch(token.text)
                and nxt is not None
                and nxt.kind == "word"
                and nxt.text.casefold() in _OF_WORDS
                and self.is_punct(self.peek(2), "(")
            ):
                self.index += 2
                return {"at_least": int(token.text), "of": self.expr_list(depth)}
            if self.is_punct(nxt, "("):
                if word in _HOURS_WORDS:
                    return self.hours()
                if word in _ALL_WORDS:
                    self.index += 1
                    return {"all_of": self.expr_list(depth)}
                if word in _ANY_WORDS:
                    self.index += 1
                    return {"any_of": self.expr_list(depth)}
        return {"module": self.module()}

    def expr_list(self, depth: int) -> list[RuleData]:
        self.expect("(")
        items: list[RuleData] = []
        if self.is_punct(self.peek(), ")"):
            self.index += 1
            return items  # reported by parse_rule with its usual message
        items.append(self.expr(depth + 1))
        while self.is_punct(self.peek(), ","):
            self.index += 1
            items.append(self.expr(depth + 1))
        self.expect(")")
        return items

    def hours(self) -> RuleData:
        self.index += 1  # the keyword
        self.expect("(")
        token = self.peek()
        if token is None or token.kind != "word" or not _NUMBER_RE.fullmatch(token.text):
            raise self.fail(_("un nombre d'heures"))
        self.index += 1
        value: float = int(token.text) if _INT_RE.fullmatch(token.text) else float(token.text)
        data: RuleData = {"min_hours": value}
        if self.is_punct(self.peek(), ","):
            self.index += 1
            keyword, of = self.peek(), _OF_WORDS
            if keyword is None or keyword.kind != "word" or keyword.text.casefold() not in of:
                raise self.fail(_("« of » ou « parmi »"))
            self.index += 1
            self.expect("(")
            refs: list[int] = []
            if not self.is_punct(self.peek(), ")"):
                refs.append(self.module())
                while self.is_punct(self.peek(), ","):
                    self.index += 1
                    refs.append(self.module())
            self.expect(")")
            data["of"] = refs
        self.expect(")")
        return data

    def module(self) -> int:
        token = self.peek()
        if token is None or token.kind == "punct":
            raise self.fail(_("un code de module"))
        self.index += 1
        if token.kind == "ref":
            module_id = int(token.text[1:])
            if module_id not in self.ids:
                self.errors.append(
                    RuleError(
                        _("Module inconnu : n° %(id)d (position %(pos)d).")
                        % {"id": module_id, "pos": token.pos + 1},
                        "",
                        position=token.pos,
                    )
                )
            return module_id
        code = token.text
        if token.kind == "str":
            code = re.sub(r"\\(.)", r"\1", code[1:-1], flags=re.DOTALL)
        if code in self.codes:
            return self.codes[code]
        candidates = self.folded.get(code.casefold(), set())
        if len(candidates) == 1:
            return next(iter(candidates))
        self.errors.append(
            RuleError(
                _("Code de module inconnu « %(code)s » (position %(pos)d).")
                % {"code": code, "pos": token.pos + 1},
                "",
                position=token.pos,
            )
        )
        return -1


def parse_text(text: str, codes: Mapping[str, int]) -> RuleData:
    """Parse the coordinator text syntax into canonical JSON rule data.

    ``codes`` maps module codes to module ids. Syntax (``&`` binds tighter than ``|``)::

        M1A | M1B                 any_of          M1A & CLOSE               all_of
        2 of (O1, O2, O3)         at_least        2 parmi (O1, O2, O3)      idem
        hours(30, of (UE1, UE2))  min_hours       heures(30, parmi (UE1))   idem
        hours(30)                 min_hours over the whole pathway
        all(M1A)  any(M1A)        explicit one-child groups (tous(…), un(…))
        "code with spaces"        quoted code     #42                       module by id

    Raises ``RuleErrors``: syntax errors carry a ``position`` (0-based offset; messages give the
    1-based column), unknown codes are all reported together, then the structure is validated
    by ``parse_rule``.
    """
    data = _TextParser(text, codes).parse()
    parse_rule(data)
    return data


def _format_code(module_id: int, names: Mapping[int, str]) -> str:
    code = names.get(module_id)
    if code is None:
        return f"#{module_id}"
    if (
        _BARE_CODE_RE.fullmatch(code)
        and not _NUMBER_RE.fullmatch(code)
        and code.casefold() not in _KEYWORDS
    ):
        return code
    escaped = code.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _format_number(value: float) -> str:
    number = _num(value)
    return str(number) if isinstance(number, int) else repr(number)


@dataclass(frozen=True, slots=True)
class _Keywords:
    """The words of the text syntax in one language (the parser accepts both)."""

    of: str
    hours: str
    all: str
    any: str


_KEYWORDS_BY_LANGUAGE = {
    "fr": _Keywords(of="parmi", hours="heures", all="tous", any="un"),
    "en": _Keywords(of="of", hours="hours", all="all", any="any"),
}


def _keywords(language: str | None) -> _Keywords:
    code = (language or get_language() or "fr")[:2]
    return _KEYWORDS_BY_LANGUAGE.get(code, _KEYWORDS_BY_LANGUAGE["fr"])


def _format(rule: Rule, names: Mapping[int, str], words: _Keywords) -> str:
    if isinstance(rule, ModuleReq):
        return _format_code(rule.module, names)
    if isinstance(rule, AllOf | AnyOf):
        if len(rule.children) == 1:
            keyword = words.all if isinstance(rule, AllOf) else words.any
            return f"{keyword}({_format(rule.children[0], names, words)})"
        parts = []
        for child in rule.children:
            text = _format(child, names, words)
            if isinstance(child, AllOf | AnyOf) and len(child.children) > 1:
                text = f"({text})"
            parts.append(text)
        return (" & " if isinstance(rule, AllOf) else " | ").join(parts)
    if isinstance(rule, AtLeast):
        inner = ", ".join(_format(c, names, words) for c in rule.children)
        return f"{rule.n} {words.of} ({inner})"
    if isinstance(rule, MinHours):
        if rule.modules is None:
            return f"{words.hours}({_format_number(rule.hours)})"
        inner = ", ".join(_format_code(m, names) for m in rule.modules)
        return f"{words.hours}({_format_number(rule.hours)}, {words.of} ({inner}))"
    raise TypeError(f"not a rule: {rule!r}")


def format_text(
    data: Rule | Mapping[str, Any], names: Mapping[int, str], *, language: str | None = None
) -> str:
    """Print a rule in the text syntax; ``names`` maps module ids to codes.

    The keywords follow ``language`` (default: the active language): ``2 parmi (…)``,
    ``heures(30, parmi (…))``, ``tous(…)``, ``un(…)`` in French, ``2 of (…)``, ``hours(…)``,
    ``all(…)``, ``any(…)`` in English; ``parse_text`` reads both. Numbers keep the decimal
    point (``7.5``): the comma separates items.

    Ids without a code print as ``#id``. ``parse_text(format_text(d, names), codes) == d`` for
    canonical data when ``codes`` is the inverse of ``names``.
    """
    return _format(_as_rule(data), names, _keywords(language))


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------

MissingKind: TypeAlias = Literal["module", "choice", "hours", "alternatives"]


@dataclass(frozen=True, slots=True)
class Missing:
    """What remains of one unmet requirement.

    * ``module``: the single module in ``candidates`` is required.
    * ``choice``: ``needed`` more modules among ``candidates`` (``done`` already obtained).
    * ``hours``: ``hours_short`` more hours, from ``candidates`` (empty: any pathway module).
    * ``alternatives``: ``needed`` more of ``options``; each option is what remains of one
      alternative, as a tuple of ``Missing`` (``done`` alternatives already satisfied).
    """

    kind: MissingKind
    needed: int = 1
    candidates: tuple[int, ...] = ()
    hours_short: float = 0.0
    done: int = 0
    options: tuple[tuple[Missing, ...], ...] = ()


@dataclass(frozen=True)
class Evaluation:
    satisfied: bool
    met: int
    total: int
    missing: list[Missing] = field(default_factory=list)

    @property
    def progress(self) -> float:
        """Fraction of requirements met, between 0 and 1."""
        return 1.0 if self.total <= 0 else self.met / self.total

    def explain(self, names: Mapping[int, str]) -> list[str]:
        return explain(self, names)


@dataclass(slots=True)
class _Result:
    satisfied: bool
    met: int
    total: int
    missing: list[Missing]


def _credited_hours(
    modules: tuple[int, ...] | None,
    done: AbstractSet[int],
    hours: Mapping[int, float],
    pool: AbstractSet[int] | None,
) -> float:
    """Hours credited towards a ``min_hours``; shared by ``evaluate`` and ``compile_rule``."""
    total = 0.0
    if modules is None:
        for module_id in done:
            if pool is None or module_id in pool:
                total += hours.get(module_id, 0.0)
    else:
        for module_id in modules:
            if module_id in done:
                total += hours.get(module_id, 0.0)
    return total


def _evaluate(rule: Rule, completed: Mapping[int, float], pool: AbstractSet[int] | None) -> _Result:
    if isinstance(rule, ModuleReq):
        if rule.module in completed:
            return _Result(True, 1, 1, [])
        return _Result(False, 0, 1, [Missing("module", 1, (rule.module,))])
    if isinstance(rule, MinHours):
        credited = _credited_hours(rule.modules, completed.keys(), completed, pool)
        if credited + HOURS_EPSILON >= rule.hours:
            return _Result(True, 1, 1, [])
        if rule.modules is not None:
            candidates = tuple(m for m in rule.modules if m not in completed)
        elif pool is not None:
            candidates = tuple(sorted(m for m in pool if m not in completed))
        else:
            candidates = ()
        short = round(rule.hours - credited, 2)
        return _Result(False, 0, 1, [Missing("hours", 1, candidates, hours_short=short)])
    if isinstance(rule, AllOf):
        results = [_evaluate(c, completed, pool) for c in rule.children]
        return _Result(
            all(r.satisfied for r in results),
            sum(r.met for r in results),
            sum(r.total for r in results),
            [m for r in results for m in r.missing],
        )
    if isinstance(rule, AnyOf):
        return _evaluate_at_least(1, rule.children, completed, pool)
    if isinstance(rule, AtLeast):
        return _evaluate_at_least(rule.n, rule.children, completed, pool)
    raise TypeError(f"not a rule: {rule!r}")


def _evaluate_at_least(
    n: int,
    children: tuple[Rule, ...],
    completed: Mapping[int, float],
    pool: AbstractSet[int] | None,
) -> _Result:
    results = [_evaluate(c, completed, pool) for c in children]
    k = max(n, 0)
    total = sum(sorted(r.total for r in results)[:k])
    done = sum(1 for r in results if r.satisfied)
    if done >= n:
        return _Result(True, total, total, [])
    best = sum(sorted((r.met for r in results), reverse=True)[:k])
    met = max(0, min(best, total - 1))
    needed = n - done
    if all(isinstance(c, ModuleReq) for c in children):
        candidates = tuple(
            c.module for c in children if isinstance(c, ModuleReq) and c.module not in completed
        )
        if needed >= len(candidates):
            missing = [Missing("module", 1, (m,)) for m in candidates]
        else:
            missing = [Missing("choice", needed, candidates, done=done)]
    else:
        options = tuple(tuple(r.missing) for r in results if not r.satisfied)
        if needed >= len(options):
            missing = [m for option in options for m in option]
        else:
            missing = [Missing("alternatives", needed, done=done, options=options)]
    return _Result(False, met, total, missing)


def evaluate(
    rule: Rule | Mapping[str, Any],
    completed: Mapping[int, float],
    *,
    pathway_modules: Collection[int] | None = None,
) -> Evaluation:
    """Evaluate a rule for one learner.

    ``completed`` maps each completed module id to the hours credited for it.
    ``pathway_modules`` restricts ``min_hours`` without ``of`` to the pathway's modules (and
    names the candidates in the explanation); when omitted, every completed module counts.
    """
    pool = frozenset(pathway_modules) if pathway_modules is not None else None
    result = _evaluate(_as_rule(rule), completed, pool)
    return Evaluation(result.satisfied, result.met, result.total, result.missing)


# --------------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------------


def _name(module_id: int, names: Mapping[int, str]) -> str:
    name = names.get(module_id)
    return name if name else _("module n° %(id)d") % {"id": module_id}


def _names(module_ids: Iterable[int], names: Mapping[int, str]) -> str:
    return ", ".join(_name(m, names) for m in module_ids)


def _options(options: Iterable[tuple[Missing, ...]], names: Mapping[int, str]) -> str:
    # Translators: separates alternatives in one sentence ("A ; B ; C").
    return _(" ; ").join(
        _(" et ").join(_fragment(m, names) for m in option) if option else "…" for option in options
    )


def _sentence(missing: Missing, names: Mapping[int, str]) -> str:
    if missing.kind == "module":
        return _("Module requis : %(module)s") % {"module": _names(missing.candidates, names)}
    if missing.kind == "choice":
        values = {"count": missing.needed, "modules": _names(missing.candidates, names)}
        if missing.done:
            return (
                ngettext(
                    "Encore %(count)d module optionnel parmi : %(modules)s",
                    "Encore %(count)d modules optionnels parmi : %(modules)s",
                    missing.needed,
                )
                % values
            )
        if missing.needed == 1:
            return _("Un module parmi : %(modules)s") % values
        return (
            ngettext(
                "%(count)d module optionnel parmi : %(modules)s",
                "%(count)d modules optionnels parmi : %(modules)s",
                missing.needed,
            )
            % values
        )
    if missing.kind == "hours":
        hours = {"hours": _fmt_hours(missing.hours_short)}
        count = _hours_count(missing.hours_short)
        if missing.candidates:
            return ngettext(
                "Il manque %(hours)s heure parmi : %(modules)s",
                "Il manque %(hours)s heures parmi : %(modules)s",
                count,
            ) % {**hours, "modules": _names(missing.candidates, names)}
        return (
            ngettext(
                "Il manque %(hours)s heure de formation",
                "Il manque %(hours)s heures de formation",
                count,
            )
            % hours
        )
    values = {"count": missing.needed, "options": _options(missing.options, names)}
    if missing.done:
        return (
            ngettext(
                "Encore %(count)d condition parmi : %(options)s",
                "Encore %(count)d conditions parmi : %(options)s",
                missing.needed,
            )
            % values
        )
    if missing.needed == 1:
        return _("L'une des conditions suivantes : %(options)s") % values
    return (
        ngettext(
            "%(count)d condition parmi : %(options)s",
            "%(count)d conditions parmi : %(options)s",
            missing.needed,
        )
        % values
    )


def _fragment(missing: Missing, names: Mapping[int, str]) -> str:
    """A lower-case phrase for use inside an alternatives sentence."""
    if missing.kind == "module":
        return _names(missing.candidates, names)
    if missing.kind == "choice":
        return ngettext(
            "%(count)d module parmi (%(modules)s)",
            "%(count)d modules parmi (%(modules)s)",
            missing.needed,
        ) % {"count": missing.needed, "modules": _names(missing.candidates, names)}
    if missing.kind == "hours":
        hours = {"hours": _fmt_hours(missing.hours_short)}
        count = _hours_count(missing.hours_short)
        if missing.candidates:
            return ngettext(
                "%(hours)s heure parmi (%(modules)s)",
                "%(hours)s heures parmi (%(modules)s)",
                count,
            ) % {**hours, "modules": _names(missing.candidates, names)}
        return (
            ngettext("%(hours)s heure de formation", "%(hours)s heures de formation", count) % hours
        )
    return ngettext(
        "%(count)d condition parmi (%(options)s)",
        "%(count)d conditions parmi (%(options)s)",
        missing.needed,
    ) % {"count": missing.needed, "options": _options(missing.options, names)}


def explain(evaluation: Evaluation, names: Mapping[int, str]) -> list[str]:
    """One French sentence (in the active language) per missing requirement.

    ``names`` maps module ids to the labels to show (titles or codes).
    """
    return [_sentence(m, names) for m in evaluation.missing]


# --------------------------------------------------------------------------------------------
# Bulk evaluation
# --------------------------------------------------------------------------------------------

_Inner: TypeAlias = Callable[[AbstractSet[int], Mapping[int, float]], bool]


def _compile(rule: Rule, pool: AbstractSet[int] | None) -> _Inner:
    if isinstance(rule, ModuleReq):
        module = rule.module
        return lambda done, hours: module in done
    if isinstance(rule, MinHours):
        modules, required = rule.modules, rule.hours - HOURS_EPSILON

        def min_hours(done: AbstractSet[int], hours: Mapping[int, float]) -> bool:
            return _credited_hours(modules, done, hours, pool) >= required

        return min_hours
    if isinstance(rule, AllOf | AnyOf | AtLeast):
        leaves = [c.module for c in rule.children if isinstance(c, ModuleReq)]
        leaf_set = frozenset(leaves)
        subs = tuple(_compile(c, pool) for c in rule.children if not isinstance(c, ModuleReq))
        if isinstance(rule, AllOf):
            return _compile_all(leaf_set, subs)
        n = 1 if isinstance(rule, AnyOf) else rule.n
        if n == 1 and len(leaf_set) == len(leaves):
            return _compile_any(leaf_set, subs)
        return _compile_at_least(n, leaves, subs)
    raise TypeError(f"not a rule: {rule!r}")


def _compile_all(leaves: frozenset[int], subs: tuple[_Inner, ...]) -> _Inner:
    if not subs:
        return lambda done, hours: done >= leaves

    def all_of(done: AbstractSet[int], hours: Mapping[int, float]) -> bool:
        return done >= leaves and all(sub(done, hours) for sub in subs)

    return all_of


def _compile_any(leaves: frozenset[int], subs: tuple[_Inner, ...]) -> _Inner:
    if not subs:
        return lambda done, hours: not leaves.isdisjoint(done)

    def any_of(done: AbstractSet[int], hours: Mapping[int, float]) -> bool:
        if leaves and not leaves.isdisjoint(done):
            return True
        return any(sub(done, hours) for sub in subs)

    return any_of


def _compile_at_least(n: int, leaves: list[int], subs: tuple[_Inner, ...]) -> _Inner:
    leaf_set = frozenset(leaves)
    unique = len(leaf_set) == len(leaves)
    if n <= 0:
        return lambda done, hours: True

    def at_least(done: AbstractSet[int], hours: Mapping[int, float]) -> bool:
        if unique:
            count = len(leaf_set.intersection(done)) if leaf_set else 0
        else:
            count = sum(1 for m in leaves if m in done)
        if count >= n:
            return True
        remaining = len(subs)
        for sub in subs:
            if count + remaining < n:
                return False
            remaining -= 1
            if sub(done, hours):
                count += 1
                if count >= n:
                    return True
        return False

    return at_least


def compile_rule(
    rule: Rule | Mapping[str, Any],
    *,
    module_hours: Mapping[int, float] | None = None,
    pathway_modules: Collection[int] | None = None,
) -> Predicate:
    """A fast ``completion -> bool`` predicate agreeing with ``evaluate(...).satisfied``.

    The predicate accepts either a mapping (module id -> credited hours, as for ``evaluate``)
    or a plain set of completed module ids; with a set, ``min_hours`` uses ``module_hours``
    (each module's nominal duration; modules missing from it count 0 hours).
    """
    pool = frozenset(pathway_modules) if pathway_modules is not None else None
    inner = _compile(_as_rule(rule), pool)
    default_hours: Mapping[int, float] = module_hours if module_hours is not None else {}

    def predicate(completed: Completion) -> bool:
        if isinstance(completed, set | frozenset):
            return inner(completed, default_hours)
        if isinstance(completed, dict):
            return inner(completed.keys(), completed)
        if isinstance(completed, Mapping):
            return inner(completed.keys(), completed)
        return inner(completed, default_hours)

    return predicate


def evaluate_many(
    rule: Rule | Mapping[str, Any],
    completions_by_learner: Mapping[int, Completion],
    *,
    module_hours: Mapping[int, float] | None = None,
    pathway_modules: Collection[int] | None = None,
) -> dict[int, bool]:
    """``{learner id: rule satisfied}`` for many learners, via ``compile_rule``."""
    predicate = compile_rule(rule, module_hours=module_hours, pathway_modules=pathway_modules)
    return {learner: predicate(done) for learner, done in completions_by_learner.items()}
