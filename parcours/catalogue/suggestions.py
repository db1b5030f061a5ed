"""What a search reads besides the index: the synonyms it applies, and "Vouliez-vous dire … ?".

**Synonyms** (``synonyms_for``): the platform-wide ``SearchSynonym`` rows plus those of the
organisations concerned, as ``search.Synonyms`` (both ways: « IA » finds « intelligence
artificielle » and back). Read once per catalogue generation (every synonym write bumps it).

**Suggestions** (``suggest``): when a search finds nothing, each word of the query that the
catalogue does not know is replaced by the closest word it does know. The words come from the
index itself: on SQLite the ``fts5vocab`` table over the FTS5 index (migration 0005), on
PostgreSQL ``ts_stat`` over the modules' folded text (``simple`` configuration: whole words,
not stems). Closeness is ranked in Python, the same on both engines: candidates sharing the most
trigrams with the word, then ``difflib``'s ratio, then the number of modules using the word.
The suggestion is written as the published titles write the word (« numérique », not the
folded « numerique » the index holds). The vocabulary, its trigram index and those spellings
are kept in memory per catalogue generation and process. A suggestion
is only offered if searching it finds modules the visitor may see (so a draft's words never
leak through a suggestion).
"""

from __future__ import annotations

import bisect
import difflib
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q

from parcours.catalogue import cache, search
from parcours.catalogue.models import SearchSynonym, split_expansions
from parcours.lib.text import fold

VOCAB_TABLE = "catalogue_module_fts_vocab"
#: Words shorter than this are never corrected (nor suggested).
MIN_WORD = 3
#: How close a suggestion must be (difflib ratio).
CUTOFF = 0.72
#: Candidates (by shared trigrams) compared with difflib, per word.
CANDIDATES = 60


# --- Synonyms ----------------------------------------------------------------------------


def synonym_rows(organisation_ids: Sequence[int] | None) -> list[tuple[str, str]]:
    """(term, expansions) of the platform-wide synonyms and of these organisations' (None:
    every organisation's: the public catalogue spans them all)."""
    rows = SearchSynonym.objects.all()
    if organisation_ids is not None:
        rows = rows.filter(Q(organisation__isnull=True) | Q(organisation_id__in=organisation_ids))
    return list(rows.order_by("pk").values_list("term", "expansions"))


def synonyms_for(
    organisation_ids: Sequence[int] | None = None, *, generation: str | None = None
) -> search.Synonyms:
    def compute() -> search.Synonyms:
        groups = [
            [term, *split_expansions(expansions)]
            for term, expansions in synonym_rows(organisation_ids)
        ]
        return search.build_synonyms(groups)

    if generation is None:
        return compute()
    scope = "all" if organisation_ids is None else ",".join(map(str, sorted(organisation_ids)))
    return cache.remember(cache.key(generation, "synonyms", scope), compute)


# --- Vocabulary --------------------------------------------------------------------------


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass
class Vocabulary:
    """The catalogue's words with the number of modules using each, sorted (prefix checks),
    a trigram index (candidates for a correction), and how each folded word is written
    (``spelling``: « numerique » → « numérique », read from the published titles)."""

    counts: dict[str, int]
    words: list[str]
    by_trigram: dict[str, list[str]]
    spelling: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, counts: dict[str, int], spelling: dict[str, str] | None = None) -> Vocabulary:
        index: dict[str, list[str]] = defaultdict(list)
        for word in counts:
            if len(word) >= MIN_WORD:
                for trigram in _trigrams(word):
                    index[trigram].append(word)
        return cls(
            counts=counts, words=sorted(counts), by_trigram=dict(index), spelling=spelling or {}
        )

    def written(self, word: str) -> str:
        return self.spelling.get(word, word)

    def knows(self, word: str, *, as_prefix: bool = False) -> bool:
        """The word or its singular is in the index (``as_prefix``: or a word it begins, for
        the last word of a query, searched as typed so far)."""
        if word in self.counts or search._singular(word) in self.counts:
            return True
        if not as_prefix:
            return False
        at = bisect.bisect_left(self.words, word)
        return at < len(self.words) and self.words[at].startswith(word)

    def closest(self, word: str) -> str | None:
        shared: Counter[str] = Counter()
        for trigram in _trigrams(word):
            shared.update(self.by_trigram.get(trigram, ()))
        best: tuple[float, int, str] | None = None
        for candidate, _count in shared.most_common(CANDIDATES):
            if abs(len(candidate) - len(word)) > 3:
                continue
            ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
            if ratio < CUTOFF:
                continue
            rank = (ratio, self.counts.get(candidate, 0), candidate)
            if best is None or rank[:2] > best[:2]:
                best = rank
        return best[2] if best is not None else None


def _read_counts(alias: str) -> dict[str, int]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT term, doc FROM {VOCAB_TABLE}")  # noqa: S608 - constant
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat("
                "'SELECT to_tsvector(''simple'', search_text) FROM catalogue_module')"
            )
        else:  # pragma: no cover - the two supported engines
            return {}
        return {
            str(word): int(count)
            for word, count in cursor.fetchall()
            if isinstance(word, str) and not word.isdigit()
        }


def _read_spelling(alias: str) -> dict[str, str]:
    """Folded word → its most frequent written form (lower case, accents kept) in the titles of
    published modules: what a suggestion shows."""
    from parcours.catalogue.models import Module

    forms: dict[str, Counter[str]] = defaultdict(Counter)
    titles = Module.objects.using(alias).published().values_list("title_fr", flat=True)
    for title in titles.iterator(chunk_size=2000):
        for word in search._WORD.findall(title.lower()):
            folded = fold(word)
            if folded != word:  # only words whose accents a suggestion would lose
                forms[folded][word] += 1
    return {folded: counter.most_common(1)[0][0] for folded, counter in forms.items()}


_memo: dict[tuple[str, str], Vocabulary] = {}
_memo_lock = threading.Lock()


def vocabulary(generation: str, using: str = DEFAULT_DB_ALIAS) -> Vocabulary:
    """The catalogue's vocabulary, read once per catalogue generation and process."""
    key = (using, generation)
    found = _memo.get(key)
    if found is None:
        found = Vocabulary.of(_read_counts(using), _read_spelling(using))
        with _memo_lock:
            for old in [k for k in _memo if k[0] == using]:
                del _memo[old]
            _memo[key] = found
    return found


def suggest(query: str, vocabulary: Vocabulary, extra_words: Iterable[str] = ()) -> str | None:
    """The query with every unknown word replaced by the closest known one; None when there is
    nothing to correct. ``extra_words`` (the synonyms' words) count as known."""
    parsed = search.parse_query(query)
    if parsed.is_empty:
        return None
    extra = set(extra_words)
    changed = False
    parts: list[str] = []
    for index, term in enumerate(parsed.terms):
        words: list[str] = []
        for at, word in enumerate(term):
            typing = index == len(parsed.terms) - 1 and at == len(term) - 1
            if (
                len(word) < MIN_WORD
                or word.isdigit()
                or word in extra
                or vocabulary.knows(word, as_prefix=typing and not parsed.ends_with_space)
            ):
                words.append(word)
                continue
            better = vocabulary.closest(word)
            if better is None:
                words.append(word)
            else:
                words.append(vocabulary.written(better))
                changed = True
        parts.append(f'"{" ".join(words)}"' if len(words) > 1 else words[0])
    return " ".join(parts) if changed else None
