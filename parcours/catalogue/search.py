"""Full-text search of the catalogue: one interface, two engines.

``search_modules(queryset, query)`` filters a Module queryset and orders it by relevance
(annotation ``search_rank``, higher is better). The engine follows ``connection.vendor``:

- **SQLite**: an FTS5 table ``catalogue_module_fts`` (rowid = module_id = module id; columns
  code, title, summary, body; ``tokenize="unicode61 remove_diacritics 2"``), seen by Django as
  the unmanaged model ``ModuleSearchEntry`` and joined from Module, ranked with ``bm25``. SQLite has
  no French stemmer, so singular/plural variants are approximated: a trailing "s"/"x" is dropped
  and the term is matched as a prefix (the last term always is, for search-as-you-type).
- **PostgreSQL**: the ``search_vector`` column (weights A code/titles, B summaries, C the rest)
  built with the ``french_unaccent`` text search configuration (french + unaccent), a GIN index,
  ``websearch_to_tsquery`` OR'ed with a prefix query on the last term, ranked with ``ts_rank``.

The query language is the same on both: words are all required, ``"a phrase"`` and ``-word``
(exclusion) work, accents and case never matter. User input never reaches the engines unparsed:
only runs of letters and digits are passed on, so quotes and operators cannot break a query.

Synonyms (``Synonyms``, built by ``build_synonyms`` from ``SearchSynonym`` rows, see
suggestions.py) are applied by ``expand_query``: a typed word, run of words or quoted phrase
that is a synonym ("IA", "intelligence artificielle") is matched by itself *or* any of its
equivalents: ``(("intelligence"* "artificielle"*) OR "ia" OR "ai") AND …`` on FTS5, one raw
``to_tsquery`` on PostgreSQL. Exclusions are never expanded.

The index is written by the actions (``index_module``) in their transaction, and rebuilt by
``reindex_modules`` (the ``reindex_catalogue`` command, the demo loader, competence renames).

List pages use ``module_ids(queryset, query)`` and ``paginate_ids``: one page of module *ids*
in the same order as ``search_modules``, with the number of matches, read in one statement that
ranks and sorts narrow rows (id, title, rank) only; the page's twenty modules are loaded after.
A common word matches most of the catalogue (``numérique``: 8,000 modules), and ranking wide
rows, then counting them in a second full-text query, cost more than everything else together.
On SQLite that statement returns every ranked id (pages and count are slices of it); on
PostgreSQL the page and ``COUNT(*) OVER ()`` (a top-N sort). Given the catalogue generation
(``module_ids(..., generation=...)``), the statement's rows are cached until the catalogue
changes (see cache.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection, connections, transaction
from django.db.models import F, FloatField, Func, QuerySet, Value

from parcours.catalogue import cache
from parcours.catalogue.models import Competence, Module, ModuleCompetence
from parcours.lib.text import fold

ModuleQS = TypeVar("ModuleQS", bound="QuerySet[Module]")

FTS_TABLE = "catalogue_module_fts"
PG_CONFIG = "french_unaccent"
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# bm25 column weights: module_id (not searched), code, title, summary, body.
BM25_WEIGHTS = (0.0, 10.0, 5.0, 2.0, 1.0)

# Words that carry no meaning in a French (or English) catalogue query; PostgreSQL's french
# configuration drops them too. Kept only when a query has nothing else.
_STOPWORDS_TEXT = """
a au aux avec c ce ces d dans de des du en et l la le les leur m n ou par pour qu que qui
s sa se ses sur t un une the of and to in for on with
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

# A closed "quoted phrase" (an unclosed quote is ignored), or a run of anything but space/quote.
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")


# --- Parsing user input ------------------------------------------------------------------


@dataclass
class ParsedQuery:
    """What a user typed, reduced to words: required terms, exclusions, phrases."""

    terms: list[list[str]] = field(default_factory=list)  # each term: one word or a phrase
    excluded: list[list[str]] = field(default_factory=list)
    has_operators: bool = False
    ends_with_space: bool = False
    # Synonyms (``expand_query``): ``alternatives[i]`` are other ways to say ``terms[i]``
    # (each a word or a phrase); a term is matched by itself or any of them. ``loose[i]``: the
    # term is several typed words (each required, anywhere), not a quoted phrase.
    alternatives: list[list[list[str]]] = field(default_factory=list)
    loose: list[bool] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def alternatives_of(self, index: int) -> list[list[str]]:
        return self.alternatives[index] if index < len(self.alternatives) else []

    def is_loose(self, index: int) -> bool:
        return index < len(self.loose) and self.loose[index]

    @property
    def is_expanded(self) -> bool:
        return any(self.alternatives)


def parse_query(query: str) -> ParsedQuery:
    raw = _printable(query)
    parsed = ParsedQuery(ends_with_space=raw[-1:].isspace())
    for match in _TOKEN.finditer(fold(raw)):
        negative = bool(match.group(1) or match.group(3))
        if match.group(2) is not None:  # a quoted phrase
            words = _WORD.findall(match.group(2))
            if len(words) > 1:
                parsed.has_operators = True
                (parsed.excluded if negative else parsed.terms).append(words)
                continue
            parts = [words] if words else []
        else:
            parts = [[w] for w in _WORD.findall(match.group(4))]
        if negative and parts:
            parsed.has_operators = True
            parsed.excluded.extend(parts)
        else:
            parsed.terms.extend(parts)
    meaningful = [t for t in parsed.terms if len(t) > 1 or t[0] not in STOPWORDS]
    if meaningful:
        parsed.terms = meaningful
    parsed.terms = parsed.terms[:MAX_TERMS]
    parsed.excluded = parsed.excluded[:MAX_TERMS]
    return parsed


def _printable(query: str) -> str:
    """At most MAX_QUERY_LENGTH characters, control characters (NUL…) replaced by spaces."""
    return "".join(" " if ord(c) < 32 else c for c in (query or "")[:MAX_QUERY_LENGTH])


def _singular(word: str) -> str:
    """A poor man's French plural folding for SQLite: "modules" → "module", "jeux" → "jeu"."""
    if len(word) > 3 and word[-1] in "sx" and not word.isdigit():
        return word[:-1]
    return word


# --- Synonyms ------------------------------------------------------------------------------

#: The longest synonym, in words (after dropping stopwords), that a query is searched for.
MAX_SYNONYM_WORDS = 6
#: Alternatives one term of a query may gain (a bound on the size of the expanded query).
MAX_ALTERNATIVES = 8

#: Folded words of a term or phrase (stopwords and plural "s" dropped) → other ways to say it.
Synonyms = dict[tuple[str, ...], list[tuple[str, ...]]]


def synonym_words(text: str) -> tuple[str, ...]:
    """The words of a synonym or expansion as a query would see them: folded, alphanumeric."""
    return tuple(_WORD.findall(fold(text or "")))


def synonym_key(words: Sequence[str]) -> tuple[str, ...]:
    """How a run of query words is looked up: stopwords dropped (unless that leaves nothing),
    singular forms ("technologies de l'information" → ("technologie", "information"))."""
    meaningful = [w for w in words if w not in STOPWORDS] or list(words)
    return tuple(_singular(w) for w in meaningful)


def build_synonyms(groups: Iterable[Sequence[str]]) -> Synonyms:
    """Each group is a set of equivalent terms ("IA", "intelligence artificielle"): every
    member finds every other (both ways). Members are texts as typed; empty ones are dropped."""
    synonyms: Synonyms = {}
    for group in groups:
        members = [w for w in (synonym_words(t) for t in group) if w]
        for member in members:
            key = synonym_key(member)
            others = synonyms.setdefault(key, [])
            for other in members:
                if synonym_key(other) != key and other not in others:
                    others.append(other)
    return {key: others[:MAX_ALTERNATIVES] for key, others in synonyms.items() if others}


def expand_query(parsed: ParsedQuery, synonyms: Synonyms | None) -> ParsedQuery:
    """``parsed`` with the synonyms of its terms as alternatives. Consecutive words that form a
    synonym ("intelligence artificielle") become one term; the longest match wins; a quoted
    phrase is looked up whole. Exclusions are never expanded. Without synonyms: ``parsed``."""
    if not synonyms or parsed.is_empty:
        return parsed
    terms: list[list[str]] = []
    alternatives: list[list[list[str]]] = []
    loose: list[bool] = []
    index = 0
    while index < len(parsed.terms):
        term = parsed.terms[index]
        found: tuple[tuple[str, ...], int] | None = None
        if len(term) > 1:
            key = synonym_key(term)
            if key in synonyms:
                found = (tuple(term), 1)
        else:
            longest = min(MAX_SYNONYM_WORDS, len(parsed.terms) - index)
            for size in range(longest, 0, -1):
                run = parsed.terms[index : index + size]
                if any(len(t) != 1 for t in run):
                    continue
                words = tuple(t[0] for t in run)
                if synonym_key(words) in synonyms:
                    found = (words, size)
                    break
        if found is None:
            terms.append(term)
            alternatives.append([])
            loose.append(False)
            index += 1
            continue
        words, size = found
        terms.append(list(words))
        alternatives.append([list(a) for a in synonyms[synonym_key(words)]])
        loose.append(len(term) == 1 and size > 1)  # typed words, not a quoted phrase
        index += size
    return ParsedQuery(
        terms=terms,
        excluded=parsed.excluded,
        has_operators=parsed.has_operators,
        ends_with_space=parsed.ends_with_space,
        alternatives=alternatives,
        loose=loose,
    )


def _fts5_term(term: Sequence[str], *, may_be_prefix: bool) -> str:
    if len(term) > 1:
        return '"' + " ".join(term) + '"'
    base = _singular(term[0])
    prefix = may_be_prefix or len(base) >= 4 or base != term[0]
    return f'"{base}"' + ("*" if prefix else "")


def fts5_expression(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression. Every word is alphanumeric, so quoting it is always safe."""
    parts: list[str] = []
    for index, term in enumerate(parsed.terms):
        is_last = index == len(parsed.terms) - 1
        typing = is_last and not parsed.ends_with_space
        if parsed.is_loose(index):  # each typed word, anywhere (the last one as typed so far)
            own = (
                "("
                + " ".join(
                    _fts5_term([word], may_be_prefix=typing and at == len(term) - 1)
                    for at, word in enumerate(term)
                )
                + ")"
            )
        else:
            own = _fts5_term(term, may_be_prefix=typing)
        others = parsed.alternatives_of(index)
        if others:
            options = [own, *(_fts5_term(a, may_be_prefix=False) for a in others)]
            parts.append("(" + " OR ".join(options) + ")")
        else:
            parts.append(own)
    # FTS5 accepts an implicit AND between phrases only: a group of alternatives needs AND.
    expression = (" AND " if parsed.is_expanded else " ").join(parts)
    for term in parsed.excluded:
        expression += ' NOT "' + " ".join(term) + '"'
    return expression


def tsquery_prefix_expression(parsed: ParsedQuery) -> str:
    """A raw tsquery (for to_tsquery) of all the words, the last one as a prefix."""
    words = [w for term in parsed.terms for w in term]
    parts = [*words[:-1], words[-1] + ":*"]
    return " & ".join(parts)


def _tsquery_term(term: Sequence[str], *, prefix: bool, loose: bool = False) -> str:
    if loose:
        words = [*term[:-1], term[-1] + (":*" if prefix else "")]
        return "(" + " & ".join(words) + ")"
    text = " <-> ".join(term)
    return f"{text}:*" if prefix and len(term) == 1 else text


def tsquery_expression(parsed: ParsedQuery) -> str:
    """A raw tsquery of an expanded query: each term or any of its alternatives, the last
    single word as a prefix, exclusions negated. Every word is alphanumeric."""
    parts: list[str] = []
    for index, term in enumerate(parsed.terms):
        is_last = index == len(parsed.terms) - 1
        loose = parsed.is_loose(index)
        # As typed so far, the last word is a prefix: "numer:*" alone, since it finds all that
        # "numer" finds (both made the index rank every match twice, for nothing).
        typing = is_last and not parsed.has_operators and not parsed.ends_with_space
        options = [_tsquery_term(term, prefix=typing, loose=loose)]
        options += [_tsquery_term(a, prefix=False) for a in parsed.alternatives_of(index)]
        parts.append("(" + " | ".join(dict.fromkeys(options)) + ")")
    parts += ["!(" + _tsquery_term(term, prefix=False) + ")" for term in parsed.excluded]
    return " & ".join(parts)


# --- Searching ---------------------------------------------------------------------------


def search_modules(queryset: ModuleQS, query: str, synonyms: Synonyms | None = None) -> ModuleQS:
    """Modules of ``queryset`` matching ``query`` (or, term by term, its ``synonyms``), best
    first. A blank query changes nothing."""
    if not (query or "").strip():
        return queryset
    parsed = expand_query(parse_query(query), synonyms)
    if parsed.is_empty:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _search_postgres(queryset, query, parsed)
    return _search_sqlite(queryset, parsed)


def _search_sqlite(queryset: ModuleQS, parsed: ParsedQuery) -> ModuleQS:
    # One join with the FTS5 table (on its UNINDEXED module_id, see ModuleSearchEntry): SQLite
    # runs the full-text query once, then fetches the matching modules by primary key.
    # bm25() is lower for better matches, hence the minus.
    bm25 = Func(
        F("search_entry__document"),
        *(Value(w) for w in BM25_WEIGHTS),
        function="bm25",
        output_field=FloatField(),
    )
    return (
        queryset.filter(search_entry__document__match=fts5_expression(parsed))
        .annotate(search_rank=bm25 * Value(-1.0))
        .order_by("-search_rank", "title_fr", "pk")
    )


def _postgres_query(query: str, parsed: ParsedQuery) -> SearchQuery:
    if parsed.is_expanded:  # synonyms: the whole query as one raw tsquery
        return SearchQuery(tsquery_expression(parsed), search_type="raw", config=PG_CONFIG)
    search_query = SearchQuery(_printable(query), search_type="websearch", config=PG_CONFIG)
    if not parsed.has_operators:
        # Search-as-you-type: also accept the last word as a prefix ("numéri" → "numérique").
        search_query = search_query | SearchQuery(
            tsquery_prefix_expression(parsed), search_type="raw", config=PG_CONFIG
        )
    return search_query


def _search_postgres(queryset: ModuleQS, query: str, parsed: ParsedQuery) -> ModuleQS:
    search_query = _postgres_query(query, parsed)
    return (
        queryset.filter(search_vector=search_query)
        .annotate(search_rank=SearchRank(F("search_vector"), search_query))
        .order_by("-search_rank", "title_fr", "pk")
    )


# --- Pages of results --------------------------------------------------------------------


def module_ids(
    queryset: QuerySet[Module],
    query: str,
    *,
    generation: str | None = None,
    synonyms: Synonyms | None = None,
) -> Sequence[int]:
    """Ids of the modules of ``queryset`` matching ``query``, in ``search_modules``'s order.

    A blank query keeps the queryset's own order (give it a unique one, e.g. title then pk).
    The result is lazy, for ``paginate_ids``: a values queryset, or a ``SearchHits``. With the
    catalogue ``generation`` (``cache.generation()``), the ranked ids are cached (cache.py).
    """
    parsed = parse_query(query) if (query or "").strip() else None
    if parsed is None:
        return queryset.values_list("pk", flat=True)  # type: ignore[return-value]
    if parsed.is_empty:
        return []
    parsed = expand_query(parsed, synonyms)
    if connection.vendor == "postgresql":
        return _PostgresHits(queryset, query, parsed, generation)
    if connection.vendor == "sqlite":
        return _SqliteHits(queryset, query, parsed, generation)
    found = search_modules(queryset, query, synonyms)
    return found.values_list("pk", flat=True)  # type: ignore[return-value]


def paginate_ids(ids: Sequence[int], number: Any, per_page: int) -> Page:
    """Page ``number`` of ``ids`` (``Paginator.get_page`` rules: 1 if not a number, the last
    page if beyond); the page's ``object_list`` is a list of ids."""
    if isinstance(ids, SearchHits):
        try:
            wanted = max(1, int(number))
        except (TypeError, ValueError):
            wanted = 1
        ids.prefetch((wanted - 1) * per_page, per_page)
    return Paginator(ids, per_page).get_page(number)


class SearchHits(Sequence[int]):
    """The ids matching a search, best first: a lazy sequence that ``Paginator`` can slice.

    Each slice is one statement that returns the ids of the slice *and* the number of matches
    (``COUNT(*) OVER ()``), so ``prefetch`` the page before the paginator asks for ``len()``.
    Only when a slice comes back empty (a page beyond the last) is the count run on its own.
    """

    def __init__(
        self,
        queryset: QuerySet[Module],
        query: str,
        parsed: ParsedQuery,
        generation: str | None = None,
    ) -> None:
        self.queryset = queryset.order_by()
        self.query = query
        self.parsed = parsed
        self.generation = generation
        self._total: int | None = None
        self._slice: tuple[int, int, list[int]] | None = None  # offset, limit, ids

    # What the engines provide.

    def _rows(self, offset: int, limit: int) -> list[tuple[int, int]]:
        """(id, number of matches) of the matches ``offset`` to ``offset + limit``."""
        raise NotImplementedError

    def _count(self) -> int:
        raise NotImplementedError

    # The sequence.

    def prefetch(self, offset: int, limit: int) -> list[int]:
        cached = self._slice
        if cached is not None and cached[0] == offset:
            _offset, cached_limit, ids = cached
            if limit <= cached_limit or len(ids) < cached_limit:  # covered, or the end
                return ids[:limit]
        try:
            rows = self._rows(offset, limit)
        except EmptyResultSet:  # e.g. a .none() queryset
            rows = []
        if rows:
            self._total = int(rows[0][1])
        elif offset == 0:
            self._total = 0
        ids = [int(row[0]) for row in rows]
        self._slice = (offset, limit, ids)
        return ids

    def total(self) -> int:
        """The number of matches (``len()``; ``count()`` is Sequence's, counting a value)."""
        if self._total is None:
            try:
                self._total = self._count()
            except EmptyResultSet:
                self._total = 0
        return self._total

    def __len__(self) -> int:
        return self.total()

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, int):
            if index < 0:
                index += self.total()
            found = self.prefetch(index, 1) if index >= 0 else []
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop, step = index.indices(self.total())
        if step != 1:
            raise ValueError("SearchHits slices have no step")
        return self.prefetch(start, stop - start) if stop > start else []

    def __iter__(self) -> Iterator[int]:
        return iter(self[:])

    @staticmethod
    def _sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        return sql, tuple(params)

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """The rows of a statement; cached when the catalogue generation is known (the
        statement holds everything the rows depend on: query, filters, queryset)."""

        def run() -> list[tuple[Any, ...]]:
            with connections[self.queryset.db].cursor() as cursor:
                cursor.execute(sql, params)
                return [tuple(row) for row in cursor.fetchall()]

        if self.generation is None:
            return run()
        key = cache.key(self.generation, "search", self.queryset.db, sql, tuple(params))
        return cache.remember(key, run)


#: Beyond this many full-text matches (a common word), ranking is merged in Python; below,
#: one statement joins and sorts (see _SqliteHits).
_SQLITE_MANY_HITS = 4000


class _SqliteHits(SearchHits):
    """FTS5: rank the full-text matches alone (rowid = module id, bm25) and walk the candidate
    modules (the queryset, read from the narrow ``module_listing_idx``: status, title,
    filters) in the list's tie order (title, id). The wide module rows are never read, and
    neither is the FTS5 content table (its module_id column).

    - **Few matches** (most queries): one statement materializes the ranked matches, looks
      each candidate up in them and sorts (rank, title, id).
    - **Many matches** (``_SQLITE_MANY_HITS``, counted first: a count reads no positions):
      that join and sort cost more than the full-text query itself (an automatic index over
      8,000 matches, a sort carrying their titles). Two narrow statements instead: the matches
      with their rank, and the candidates' ids in (title, id) order; Python keeps the
      candidates that match and sorts them by rank with a *stable* sort, so equal ranks stay
      in title order: the same order as ``search_modules``.

    Either way every matching id is returned, in order (ids only: 8,000 integers cost less to
    send than ``COUNT(*) OVER ()``); any page, and the count, are slices of that list, which
    the cache keeps (see cache.py).
    """

    _ranked: list[int] | None = None

    def _match(self) -> str:
        return fts5_expression(self.parsed)

    def ranked(self) -> list[int]:
        if self._ranked is None:
            try:
                self._ranked = self._cached_rank()
            except EmptyResultSet:  # e.g. a .none() queryset
                self._ranked = []
        return self._ranked

    def _candidates(self) -> tuple[str, tuple[Any, ...]]:
        return self._sql(
            self.queryset.annotate(search_id=F("pk"), search_title=F("title_fr")).values_list(
                "search_id", "search_title"
            )
        )

    def _cached_rank(self) -> list[int]:
        candidates = self._candidates()  # raises EmptyResultSet before any full-text query
        if self.generation is None:
            return self._rank(candidates)
        key = cache.key(self.generation, "search", self.queryset.db, self._match(), candidates)
        return cache.remember(key, lambda: self._rank(candidates))

    def _rank(self, candidates: tuple[str, tuple[Any, ...]]) -> list[int]:
        candidate_sql, candidate_params = candidates
        weights = ", ".join("%s" for _ in BM25_WEIGHTS)
        match = self._match()
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
                [match],
            )
            (matches,) = cursor.fetchone()
            if not matches:
                return []
            if matches < _SQLITE_MANY_HITS:
                # CROSS JOIN fixes the join order: candidates outside, hits inside. Without it
                # (or without MATERIALIZED), SQLite may run the full-text query per candidate.
                cursor.execute(
                    f"WITH hits AS MATERIALIZED ("  # noqa: S608 - constant names, values are params
                    f"SELECT rowid AS id, bm25({FTS_TABLE}, {weights}) AS rank "
                    f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
                    f"SELECT candidates.search_id "
                    f"FROM ({candidate_sql}) AS candidates CROSS JOIN hits "
                    f"WHERE hits.id = candidates.search_id "
                    f"ORDER BY hits.rank, candidates.search_title, candidates.search_id",
                    (*BM25_WEIGHTS, match, *candidate_params),
                )
                return [int(pk) for (pk,) in cursor.fetchall()]
            cursor.execute(
                f"SELECT rowid, bm25({FTS_TABLE}, {weights}) "  # noqa: S608 - constant names
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
                (*BM25_WEIGHTS, match),
            )
            rank: dict[int, float] = dict(cursor.fetchall())
            cursor.execute(
                f"SELECT candidates.search_id FROM ({candidate_sql}) AS candidates "  # noqa: S608
                "ORDER BY candidates.search_title, candidates.search_id",
                candidate_params,
            )
            ids = [pk for (pk,) in cursor.fetchall() if pk in rank]
        ids.sort(key=rank.__getitem__)  # stable: equal ranks keep the title order
        return ids

    def prefetch(self, offset: int, limit: int) -> list[int]:
        ranked = self.ranked()
        self._total = len(ranked)
        return ranked[offset : offset + limit]

    def _count(self) -> int:
        return len(self.ranked())


class _PostgresHits(SearchHits):
    """tsvector: rank the matching candidates (id, title, ts_rank), then sort and count those
    narrow rows. ``OFFSET 0`` keeps the rank computed in the scan: otherwise PostgreSQL carries
    every vector through the window function and ranks after it (twice the time)."""

    def _filtered(self) -> QuerySet[Module]:
        return self.queryset.filter(search_vector=_postgres_query(self.query, self.parsed))

    def _rows(self, offset: int, limit: int) -> list[tuple[int, int]]:
        search_query = _postgres_query(self.query, self.parsed)
        hits, hit_params = self._sql(
            self.queryset.filter(search_vector=search_query)
            .annotate(
                search_id=F("pk"),
                search_title=F("title_fr"),
                search_rank=SearchRank(F("search_vector"), search_query),
            )
            .values_list("search_id", "search_title", "search_rank")
        )
        sql = (
            f"SELECT hits.search_id, COUNT(*) OVER () FROM ({hits} OFFSET 0) AS hits "  # noqa: S608
            "ORDER BY hits.search_rank DESC, hits.search_title, hits.search_id "
            "LIMIT %s OFFSET %s"
        )
        return self._fetch(sql, (*hit_params, limit, offset))

    def _count(self) -> int:
        return self._filtered().count()


# --- Indexing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """The searchable text of one module, by weight."""

    code: str
    title: str
    summary: str
    body: str

    def folded(self) -> str:
        return fold(" ".join(p for p in (self.code, self.title, self.summary, self.body) if p))


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def build_document(module: Module, competences: Iterable[Competence] | None = None) -> Document:
    """``competences`` defaults to a fresh read of the module's targeted competences."""
    if competences is None:
        competences = Competence.objects.filter(
            pk__in=module.competence_links.values("competence_id")
        )
    competence_text = _join(*(_join(c.code, c.title_fr, c.title_en) for c in competences))
    return Document(
        code=module.code,
        title=_join(module.title_fr, module.title_en),
        summary=_join(module.summary_fr, module.summary_en),
        body=_join(
            module.objectives_fr,
            module.objectives_en,
            module.description_fr,
            module.description_en,
            module.organisation.name,
            competence_text,
        ),
    )


def index_module(
    module: Module, competences: Iterable[Competence] | None = None, *, bump: bool = True
) -> None:
    """Bring the search index of one module up to date (call inside the writing transaction).

    Also gives the catalogue a new generation (cache.py), unless ``bump`` is false (the caller
    then does it once for many modules)."""
    document = build_document(module, competences)
    updates: dict[str, Any] = {"search_text": document.folded()}
    if connection.vendor == "postgresql":
        updates["search_vector"] = (
            SearchVector(Value(document.code), config=PG_CONFIG, weight="A")
            + SearchVector(Value(document.title), config=PG_CONFIG, weight="A")
            + SearchVector(Value(document.summary), config=PG_CONFIG, weight="B")
            + SearchVector(Value(document.body), config=PG_CONFIG, weight="C")
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [module.pk])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, module_id, code, title, summary, body) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    module.pk,
                    module.pk,
                    *(
                        fold(p)
                        for p in (document.code, document.title, document.summary, document.body)
                    ),
                ],
            )
    Module.objects.filter(pk=module.pk).update(**updates)
    module.search_text = updates["search_text"]
    if bump:
        cache.bump()


def reindex_modules(ids: Sequence[int] | None = None) -> int:
    """Rebuild the index of some modules (all when ``ids`` is None). Returns how many."""
    modules = Module.objects.select_related("organisation").prefetch_related(
        "competence_links__competence"
    )
    if ids is not None:
        modules = modules.filter(pk__in=list(ids))
    count = 0
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                if ids is None:
                    cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
                else:  # also forgets modules that no longer exist
                    for pk in ids:
                        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])  # noqa: S608
        for module in modules.order_by("pk").iterator(chunk_size=500):
            competences = [link.competence for link in module.competence_links.all()]
            index_module(module, competences, bump=False)
            count += 1
        cache.bump()
    return count


def modules_targeting(competence_ids: Iterable[int]) -> list[int]:
    """Ids of the modules that target any of these competences (to reindex after a rename)."""
    return list(
        ModuleCompetence.objects.filter(competence_id__in=list(competence_ids))
        .values_list("module_id", flat=True)
        .distinct()
    )
