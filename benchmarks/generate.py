"""Build the benchmark network in the (empty, dedicated) database Django is connected to.

At full scale: 30 organisations, 10,000 modules (~90 % published, French titles with accents,
various formats/audiences/languages, 0-3 targeted competences when the frameworks can be
imported), 100,000 learners, 1,000,000 completions, and the AI-referent pathway
(``(M1A | M1B) & 2 of (O1…O8) & CLOSE``: 11 modules) with every learner holding 0-6 of its
modules. Then the search index is built with ``reindex_modules()``.

Speed: the actions (one transaction, audit entry and index update per object) would take hours
for a million rows, so rows are written directly: ``bulk_create`` in batches for organisations,
modules, links and the pathway; for the two big tables (learners, completions) one
``executemany`` per batch inside a single transaction on SQLite, and ``COPY … FROM STDIN``
(psycopg ``cursor.copy``) on PostgreSQL.

The data is deterministic (fixed seed). On SQLite the generated file is reused by later runs
when its marker (``<file>.json``: scale, generator version, fingerprint of the generator, the
search module and the migrations) matches; ``--regenerate`` forces a rebuild.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.text import slugify

from benchmarks import words
from benchmarks.config import PROJECT_DIR, Scale
from benchmarks.progress import Progress, step

GENERATOR_VERSION = 1
SEED = 20_250_611
PATHWAY_CODE = "IA-REF"
EMAIL_DOMAIN = "bench.parcours.test"
BATCH = 20_000
# How many of the AI pathway's 11 modules a learner holds: 0..6 (weights).
AI_COUNT_WEIGHTS = [0.30, 0.16, 0.14, 0.12, 0.10, 0.08, 0.10]


@dataclass
class Dataset:
    scale: str
    vendor: str
    counts: dict[str, int] = field(default_factory=dict)
    generation_seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    reused: bool = False
    generated_at: str = ""
    pathway_code: str = PATHWAY_CODE
    pathway_learners_with_completions: int = 0
    pathway_expected_satisfied: int = 0
    pathway_completions: int = 0
    frameworks: bool = False
    fingerprint: str = ""


# --- Entry point -------------------------------------------------------------------------


def fingerprint() -> str:
    """Changes when the generator, the search code or any migration changes."""
    digest = hashlib.sha256(f"v{GENERATOR_VERSION}".encode())
    files = [
        Path(__file__),
        Path(words.__file__),
        PROJECT_DIR / "parcours" / "catalogue" / "search.py",
        *sorted(PROJECT_DIR.glob("parcours/*/migrations/0*.py")),
    ]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_dataset(scale: Scale, *, regenerate: bool = False) -> Dataset:
    """Reuse the cached SQLite dataset when it matches, else build a new one."""
    vendor = connection.vendor
    marker: Path | None = None
    current = fingerprint()
    if vendor == "sqlite":
        db_path = Path(str(connection.settings_dict["NAME"]))
        marker = db_path.with_name(db_path.name + ".json")
        if not regenerate and marker.exists() and db_path.exists():
            try:
                cached = Dataset(**json.loads(marker.read_text()))
            except (ValueError, TypeError):
                cached = None
            if cached and cached.scale == scale.name and cached.fingerprint == current:
                step(f"reusing {db_path} (generated {cached.generated_at}; --regenerate rebuilds)")
                cached.reused = True
                call_command("migrate", verbosity=0)
                return cached
            step(f"{db_path} is stale (other scale or code changed): regenerating")
        connection.close()
        for suffix in ("", "-wal", "-shm", ".json"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    dataset = Generator(scale).run()
    dataset.fingerprint = current
    if marker is not None:
        marker.write_text(json.dumps(asdict(dataset), indent=2))
    return dataset


# --- Fast inserts ------------------------------------------------------------------------


def batched(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    total: int,
    label: str,
) -> None:
    """Insert plain rows (values already in the database's format) as fast as the engine allows.

    Concrete fields not listed get their default (``auto_now``/``auto_now_add``: now), so a
    column added to the model later does not break the generator.
    """
    meta = model._meta
    qn = connection.ops.quote_name
    listed = [cast(Field, meta.get_field(name)) for name in fields]
    constants: list[tuple[str, Any]] = []
    for f in meta.concrete_fields:
        if f.primary_key or f.name in fields:
            continue
        value = (
            timezone.now()
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
        )
        constants.append((f.column, f.get_db_prep_save(value, connection)))
    columns = [f.column for f in listed] + [c for c, _ in constants]
    extra = tuple(v for _, v in constants)
    column_sql = ", ".join(qn(c) for c in columns)
    progress = Progress(label, total)
    if connection.vendor == "postgresql":
        sql = f"COPY {qn(meta.db_table)} ({column_sql}) FROM STDIN"
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(sql) as copy,
        ):
            for index, row in enumerate(rows, start=1):
                copy.write_row(row + extra)
                if index % BATCH == 0:
                    progress.update(index)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {qn(meta.db_table)} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            for batch in batched(rows, BATCH):
                cursor.executemany(sql, [row + extra for row in batch])
                progress.advance(len(batch))
    progress.finish()


# --- The generator -----------------------------------------------------------------------


class Generator:
    def __init__(self, scale: Scale) -> None:
        self.scale = scale
        self.rng = random.Random(SEED)
        self.vendor = connection.vendor
        self.dataset = Dataset(scale=scale.name, vendor=self.vendor)
        self.now = timezone.now().replace(microsecond=0)
        self.org_ids: list[int] = []
        self.module_hours: dict[int, Decimal] = {}
        self.completable: list[int] = []  # published or archived, outside the AI pathway
        self.ai_ids: dict[str, int] = {}
        self.learner_ids: list[int] = []
        # Dates for completions: the last three years, in the database's own format.
        days = [self.now.date() - dt.timedelta(days=d) for d in range(1, 3 * 365)]
        moments = [
            dt.datetime.combine(d, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(minutes=m)
            for d, m in zip(days, itertools.cycle(range(0, 480, 7)), strict=False)
        ]
        self.dates: list[Any] = [self._date(d) for d in days]
        self.moments: list[Any] = [self._datetime(m) for m in moments]

    # Values in the database's format (raw inserts bypass Django's field adaptation).
    def _date(self, value: dt.date) -> Any:
        return value.isoformat() if self.vendor == "sqlite" else value

    def _datetime(self, value: dt.datetime) -> Any:
        if self.vendor == "sqlite":  # Django stores naive UTC text on SQLite
            return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        return value

    def _decimal(self, value: Decimal) -> Any:
        return str(value) if self.vendor == "sqlite" else value

    def _bool(self, value: bool) -> Any:
        return int(value) if self.vendor == "sqlite" else value

    def _timed(self, name: str, started: float) -> None:
        self.dataset.steps[name] = round(time.perf_counter() - started, 2)

    def run(self) -> Dataset:
        scale = self.scale
        step(
            f"generating the {scale.name} network on {self.vendor}: {scale.organisations} "
            f"organisations, {scale.modules:,} modules, {scale.learners:,} learners, "
            f"{scale.completions:,} completions"
        )
        begun = time.perf_counter()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        self._timed("migrate", started)
        started = time.perf_counter()
        self.dataset.frameworks = self._frameworks()
        self._timed("frameworks", started)
        started = time.perf_counter()
        self._organisations()
        self._modules()
        self._pathway()
        self._timed("organisations, modules, pathway", started)
        started = time.perf_counter()
        self._learners()
        self._timed("learners", started)
        started = time.perf_counter()
        self._completions()
        self._timed("completions", started)
        started = time.perf_counter()
        self._index()
        self._timed("search index (reindex_modules)", started)
        started = time.perf_counter()
        self._finalise()
        self._timed("vacuum/analyze" if self.vendor == "postgresql" else "checkpoint", started)
        self.dataset.generation_seconds = round(time.perf_counter() - begun, 1)
        self.dataset.generated_at = timezone.now().isoformat(timespec="seconds")
        self.dataset.counts = count_rows()
        step(f"generated in {self.dataset.generation_seconds:.1f}s")
        return self.dataset

    # --- Steps ---------------------------------------------------------------------------

    def _frameworks(self) -> bool:
        try:
            call_command("import_frameworks", verbosity=0)
        except Exception as exc:  # the benchmark still runs without competences
            step(f"frameworks not imported ({exc}); modules get no targeted competences")
            return False
        return True

    def _organisations(self) -> None:
        from parcours.accounts.models import Organisation

        places = list(words.PLACES)
        self.rng.shuffle(places)
        orgs = []
        for index in range(self.scale.organisations):
            pattern, kind = words.ORGANISATION_PATTERNS[index % len(words.ORGANISATION_PATTERNS)]
            place = places[index % len(places)]
            name = pattern.format(place=place)
            if index >= len(places):
                name += f" {index // len(places) + 1}"
            orgs.append(
                Organisation(
                    slug=slugify(name)[:60],
                    name=name,
                    kind=kind,
                    website=f"https://{slugify(place)}.example.org",
                    description=f"Organisation de formation de la région de {place}.",
                )
            )
        self.org_ids = [o.pk for o in Organisation.objects.bulk_create(orgs)]

    def _modules(self) -> None:
        from parcours.catalogue.models import Competence, Module, ModuleCompetence

        rng = self.rng
        Format, Audience, Language, Status = (
            Module.Format,
            Module.Audience,
            Module.Language,
            Module.Status,
        )
        formats = [Format.IN_PERSON, Format.VIRTUAL_CLASS, Format.HYBRID, Format.SELF_PACED]
        audiences = list(Audience)
        languages = [Language.FR, Language.EN, Language.NL, Language.DE]
        statuses = [Status.PUBLISHED, Status.DRAFT, Status.ARCHIVED]
        hours = ["3", "3.5", "6", "7", "7", "12", "14", "21", "30"]
        # Organisations of uneven size.
        org_weights = [1 / (i + 1) ** 0.6 for i in range(len(self.org_ids))]
        counters: dict[int, int] = dict.fromkeys(self.org_ids, 0)
        modules: list[Module] = []
        ai_org = self.org_ids[0]
        for code, title in words.AI_MODULES:
            modules.append(
                Module(
                    organisation_id=ai_org,
                    code=code,
                    title_fr=title,
                    summary_fr="Module du parcours « Référent·e en intelligence artificielle ».",
                    description_fr=" ".join(rng.sample(words.DESCRIPTION_SENTENCES, 3)),
                    duration_hours=Decimal("7"),
                    format=Format.HYBRID if code == "M1B" else Format.IN_PERSON,
                    audience=Audience.TEACHERS,
                    status=Status.PUBLISHED,
                    published_at=self.now - dt.timedelta(days=400),
                )
            )
        progress = Progress("Modules", self.scale.modules)
        for _ in range(self.scale.modules - len(words.AI_MODULES)):
            org = rng.choices(self.org_ids, weights=org_weights)[0]
            counters[org] += 1
            topic_fr, topic_en = rng.choice(words.TOPICS)
            prefix_fr, prefix_en = rng.choice(words.PREFIXES)
            context_fr, context_en = rng.choice(words.CONTEXTS)
            other_topic = rng.choice(words.TOPICS)[0]
            status = rng.choices(statuses, weights=[0.9, 0.07, 0.03])[0]
            summary = " ".join(
                [
                    rng.choice(words.SUMMARY_OPENINGS).format(topic=topic_fr, context=context_fr),
                    rng.choice(words.SUMMARY_FOLLOW_UPS).format(topic=other_topic),
                ]
            ).replace(" .", ".")
            has_english = rng.random() < 0.4
            modules.append(
                Module(
                    organisation_id=org,
                    code=f"F{org:02d}-{counters[org]:04d}",
                    title_fr=_sentence_case(
                        " ".join(p for p in (prefix_fr, topic_fr, context_fr) if p)
                    ),
                    title_en=(" ".join(p for p in (prefix_en, topic_en, context_en) if p))
                    if has_english
                    else "",
                    summary_fr=summary,
                    summary_en=f"A practical module on {topic_en}." if has_english else "",
                    description_fr=" ".join(rng.sample(words.DESCRIPTION_SENTENCES, 3)),
                    objectives_fr="\n".join(
                        "- " + o.format(topic=topic_fr) for o in rng.sample(words.OBJECTIVES, 3)
                    ),
                    prerequisites_fr=rng.choice(words.PREREQUISITES),
                    duration_hours=Decimal(rng.choice(hours)),
                    format=rng.choices(formats, weights=[0.45, 0.2, 0.15, 0.2])[0],
                    audience=rng.choice(audiences),
                    language=rng.choices(languages, weights=[0.85, 0.08, 0.05, 0.02])[0],
                    status=status,
                    published_at=self.now - dt.timedelta(days=rng.randrange(1, 1500))
                    if status != Status.DRAFT
                    else None,
                )
            )
        created: list[Module] = []
        for batch in batched(modules, 1_000):  # type: ignore[arg-type]
            created += Module.objects.bulk_create(batch)  # type: ignore[arg-type]
            progress.advance(len(batch))
        progress.finish()
        for module in created:
            self.module_hours[module.pk] = module.duration_hours
        ai_codes = {code for code, _ in words.AI_MODULES}
        self.ai_ids = {m.code: m.pk for m in created[: len(words.AI_MODULES)]}
        self.completable = [
            m.pk for m in created if m.status != Status.DRAFT and m.code not in ai_codes
        ]
        # Targeted competences (0-3 per module) when the frameworks are there.
        competences = list(Competence.objects.values_list("pk", "framework_id"))
        if not competences:
            return
        from parcours.catalogue.models import ProficiencyLevel

        levels: dict[int, list[int]] = {}
        for pk, framework_id in ProficiencyLevel.objects.values_list("pk", "framework_id"):
            levels.setdefault(framework_id, []).append(pk)
        links = []
        for module in created:
            k = rng.choices([0, 1, 2, 3], weights=[0.3, 0.35, 0.25, 0.1])[0]
            for competence_id, framework_id in rng.sample(competences, k):
                options = levels.get(framework_id)
                level = rng.choice(options) if options and rng.random() < 0.7 else None
                links.append(
                    ModuleCompetence(
                        module_id=module.pk, competence_id=competence_id, level_id=level
                    )
                )
        ModuleCompetence.objects.bulk_create(links, batch_size=2_000)

    def _pathway(self) -> None:
        from parcours.pathways import rules
        from parcours.pathways.models import Pathway, PathwayModule

        ids = self.ai_ids
        rule = {
            "all_of": [
                {"any_of": [{"module": ids["M1A"]}, {"module": ids["M1B"]}]},
                {"at_least": 2, "of": [ids[f"O{i}"] for i in range(1, 9)]},
                {"module": ids["CLOSE"]},
            ]
        }
        rules.parse_rule(rule)  # fails loudly if the rule format changed
        pathway = Pathway.objects.create(
            organisation_id=self.org_ids[0],
            code=PATHWAY_CODE,
            title_fr="Référent·e en intelligence artificielle",
            title_en="AI referent",
            summary_fr="Un module de découverte, deux options sur huit et un projet de clôture.",
            rule=rule,
            status=Pathway.Status.PUBLISHED,
        )
        PathwayModule.objects.bulk_create(
            PathwayModule(pathway=pathway, module_id=module_id, position=position)
            for position, module_id in enumerate(ids.values())
        )

    def _learners(self) -> None:
        from parcours.accounts.models import User

        rng = self.rng
        joined = [self._datetime(self.now - dt.timedelta(days=d, hours=3)) for d in range(1, 2000)]
        false, true = self._bool(False), self._bool(True)

        def rows() -> Iterator[tuple[Any, ...]]:
            for index in range(self.scale.learners):
                yield (
                    "!benchmark-unusable-password",
                    None,
                    false,
                    f"apprenant{index:06d}@{EMAIL_DOMAIN}",
                    rng.choice(words.FIRST_NAMES),
                    rng.choice(words.LAST_NAMES),
                    "fr" if rng.random() < 0.9 else "en",
                    str(rng.randrange(1000, 10000)),
                    false,
                    true,
                    rng.choice(joined),
                )

        fields = (
            "password",
            "last_login",
            "is_superuser",
            "email",
            "first_name",
            "last_name",
            "language",
            "postcode",
            "is_staff",
            "is_active",
            "date_joined",
        )
        insert_rows(User, fields, rows(), total=self.scale.learners, label="Learners")
        self.learner_ids = list(
            User.objects.filter(email__endswith="@" + EMAIL_DOMAIN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def _ai_modules_for(self, k: int) -> list[int]:
        """k modules of the AI pathway, the way learners take them: intro, options, closing."""
        rng, ids = self.rng, self.ai_ids
        if k == 0:
            return []
        intro, other = ("M1A", "M1B") if rng.random() < 0.7 else ("M1B", "M1A")
        chosen = [intro]
        if k >= 3 and rng.random() < 0.05:
            chosen.append(other)
        closing = k >= 4 and rng.random() < 0.75
        options = rng.sample([f"O{i}" for i in range(1, 9)], 8)
        chosen += options[: max(0, k - len(chosen) - int(closing))]
        if closing:
            chosen.append("CLOSE")
        return [ids[code] for code in chosen[:k]]

    def _completions(self) -> None:
        from parcours.pathways.models import Completion

        rng, scale = self.rng, self.scale
        learners = self.learner_ids
        # The pathway's share first (it decides how many completions are left for the rest).
        ai_sets: list[list[int]] = []
        satisfied = 0
        intro = {self.ai_ids["M1A"], self.ai_ids["M1B"]}
        options = {self.ai_ids[f"O{i}"] for i in range(1, 9)}
        for index in range(len(learners)):
            k = rng.choices(range(7), weights=AI_COUNT_WEIGHTS)[0]
            chosen = self._ai_modules_for(k) if index < scale.pathway_learners else []
            ai_sets.append(chosen)
            got = set(chosen)
            if got & intro and len(got & options) >= 2 and self.ai_ids["CLOSE"] in got:
                satisfied += 1
        ai_total = sum(len(s) for s in ai_sets)
        self.dataset.pathway_completions = ai_total
        self.dataset.pathway_learners_with_completions = sum(1 for s in ai_sets if s)
        self.dataset.pathway_expected_satisfied = satisfied
        # Other completions: a skewed popularity over the published/archived modules.
        other_total = max(0, scale.completions - ai_total)
        candidates = list(self.completable)
        rng.shuffle(candidates)
        cum_weights = list(itertools.accumulate(1 / (r + 1) ** 0.8 for r in range(len(candidates))))
        mean = other_total / max(len(learners), 1)
        cap = max(1, min(len(candidates) // 2, int(mean * 8) + 1))
        counts = [min(cap, int(rng.expovariate(1 / mean))) if mean else 0 for _ in learners]
        diff = other_total - sum(counts)
        while diff:
            i = rng.randrange(len(counts))
            if diff > 0 and counts[i] < cap:
                counts[i] += 1
                diff -= 1
            elif diff < 0 and counts[i] > 0:
                counts[i] -= 1
                diff += 1
        source = Completion.Source.IMPORT.value
        hours = {pk: self._decimal(h) for pk, h in self.module_hours.items()}
        dates, moments = self.dates, self.moments

        def rows() -> Iterator[tuple[Any, ...]]:
            chunk: list[tuple[Any, ...]] = []
            for learner_id, ai_modules, count in zip(learners, ai_sets, counts, strict=True):
                picked: set[int] = set()
                while len(picked) < count:
                    picked.update(
                        rng.choices(candidates, cum_weights=cum_weights, k=count - len(picked))
                    )
                for module_id in [*ai_modules, *picked]:
                    day = rng.randrange(len(dates))
                    chunk.append(
                        (learner_id, module_id, dates[day], hours[module_id], source, moments[day])
                    )
                if len(chunk) >= 50_000:
                    rng.shuffle(chunk)  # imports arrive interleaved, not learner by learner
                    yield from chunk
                    chunk = []
            rng.shuffle(chunk)
            yield from chunk

        fields = ("learner", "module", "completed_on", "hours", "source", "created_at")
        total = ai_total + other_total
        insert_rows(Completion, fields, rows(), total=total, label="Completions")

    def _index(self) -> None:
        from parcours.catalogue.search import reindex_modules

        step(f"building the search index of {self.scale.modules:,} modules (reindex_modules)…")
        started = time.perf_counter()
        indexed = reindex_modules()
        step(f"indexed {indexed:,} modules in {time.perf_counter() - started:.1f}s")

    def _finalise(self) -> None:
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # What autovacuum would do shortly after a bulk load: statistics and the
                # visibility map (index-only scans).
                cursor.execute("VACUUM ANALYZE")
            elif self.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def count_rows() -> dict[str, int]:
    from parcours.accounts.models import Organisation, User
    from parcours.catalogue.models import Module, ModuleCompetence
    from parcours.pathways.models import Completion, Pathway, PathwayModule

    return {
        "organisations": Organisation.objects.count(),
        "modules": Module.objects.count(),
        "published_modules": Module.objects.filter(status="published").count(),
        "competence_links": ModuleCompetence.objects.count(),
        "users": User.objects.count(),
        "completions": Completion.objects.count(),
        "pathways": Pathway.objects.count(),
        "pathway_modules": PathwayModule.objects.count(),
    }
