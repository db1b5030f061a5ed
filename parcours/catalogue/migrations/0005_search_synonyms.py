"""Search synonyms (« IA » ↔ « intelligence artificielle »), seeded with platform-wide
defaults, and on SQLite the vocabulary of the full-text index (an ``fts5vocab`` table over
``catalogue_module_fts``) that "Vouliez-vous dire … ?" draws its words from."""

import re
import unicodedata

import django.db.models.deletion
from django.db import migrations, models

FTS_TABLE = "catalogue_module_fts"
VOCAB_TABLE = "catalogue_module_fts_vocab"

#: Platform-wide defaults (term, expansions): each side finds the other.
DEFAULTS = [
    ("IA", "intelligence artificielle, AI, artificial intelligence"),
    ("IA générative", "intelligence artificielle générative, generative AI, GenAI"),
    ("TIC", "technologies de l'information et de la communication, ICT"),
    ("TICE", "technologies de l'information et de la communication pour l'enseignement"),
    ("RGPD", "règlement général sur la protection des données, GDPR"),
    ("IoT", "internet des objets, objets connectés"),
    ("TBI", "tableau blanc interactif, tableau numérique interactif"),
    ("ENT", "environnement numérique de travail"),
    ("FLE", "français langue étrangère"),
    ("MOOC", "cours en ligne ouvert, formation en ligne ouverte à tous"),
    ("numérique", "digital"),
    ("cybersécurité", "sécurité informatique, cybersecurity"),
    ("apprentissage automatique", "machine learning"),
    ("programmation", "codage, coding"),
    ("PowerPoint", "présentation assistée par ordinateur, diaporama"),
]

# Frozen copies of search.synonym_words / synonym_key (a migration never imports app code).
_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    """a au aux avec c ce ces d dans de des du en et l la le les leur m n ou par pour qu que qui
    s sa se ses sur t un une the of and to in for on with""".split()
)


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _key(text):
    words = _WORD.findall(_fold(text))
    meaningful = [w for w in words if w not in _STOPWORDS] or words
    singular = [w[:-1] if len(w) > 3 and w[-1] in "sx" and not w.isdigit() else w for w in meaningful]
    return " ".join(singular)


def seed_defaults(apps, schema_editor):
    SearchSynonym = apps.get_model("catalogue", "SearchSynonym")
    for term, expansions in DEFAULTS:
        SearchSynonym.objects.get_or_create(
            organisation=None, key=_key(term), defaults={"term": term, "expansions": expansions}
        )


def remove_defaults(apps, schema_editor):
    SearchSynonym = apps.get_model("catalogue", "SearchSynonym")
    SearchSynonym.objects.filter(
        organisation=None, key__in=[_key(term) for term, _expansions in DEFAULTS]
    ).delete()


def create_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB_TABLE} USING fts5vocab({FTS_TABLE}, 'row')"
        )


def drop_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {VOCAB_TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_people_and_access'),
        ('catalogue', '0004_cataloguegeneration'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=100, verbose_name='terme')),
                ('expansions', models.CharField(help_text='Séparés par des virgules, p. ex. « intelligence artificielle, AI ».', max_length=500, verbose_name='équivalents')),
                ('key', models.CharField(editable=False, max_length=200)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_synonyms', to='accounts.organisation', verbose_name='organisation')),
            ],
            options={
                'verbose_name': 'synonyme de recherche',
                'verbose_name_plural': 'synonymes de recherche',
                'ordering': ['term'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('organisation__isnull', False)), fields=('organisation', 'key'), name='synonym_once_per_org'), models.UniqueConstraint(condition=models.Q(('organisation__isnull', True)), fields=('key',), name='synonym_once_platform_wide')],
            },
        ),
        migrations.RunPython(seed_defaults, remove_defaults),
        migrations.RunPython(create_vocabulary, drop_vocabulary),
    ]
