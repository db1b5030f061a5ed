"""The demo scenario as plain data: who, where, which modules and pathways, who completed what.

Everything here is written for the demo (in our own words), from the facts of the seed documents:
Technofutur TIC's eduLAB (AI-referent pathway, university certificate in techno-pedagogy),
Technocité's catalogue (ICT at Hornu, creative industries at Mons, some trainings at Tournai),
and the Province of Liège (Techni Truck, Technosphère domes, training sites and staff trainings).

``loader.py`` turns it into rows by calling the real actions; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Every demo account shares this password. These are public demo logins, printed on purpose.
DEMO_PASSWORD = "parcours-demo"
ADMIN_EMAIL = "admin@parcours.demo"

IN_PERSON = "in_person"
VIRTUAL = "virtual_class"
HYBRID = "hybrid"
SELF_PACED = "self_paced"

TEACHERS = "teachers"
HEADS = "school_heads"
JOBSEEKERS = "jobseekers"
EMPLOYEES = "employees"
PUPILS = "pupils"
EVERYONE = "everyone"

DRAFT = "draft"
PUBLISHED = "published"
ARCHIVED = "archived"

DIGCOMPEDU = "digcompedu"
DIGCOMP = "digcomp-3-0"


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    kind: str
    website: str
    email: str
    description: str


@dataclass(frozen=True)
class SiteSpec:
    org: str
    name: str
    street: str
    postcode: str
    city: str
    latitude: float
    longitude: float
    access_notes: str


@dataclass(frozen=True)
class PersonSpec:
    org: str  # organisation slug ("" for the platform administrator)
    role: str  # accounts.Role value, or "superuser"
    email: str
    first_name: str
    last_name: str
    language: str = "fr"
    postcode: str = ""


@dataclass(frozen=True)
class ModuleSpec:
    code: str
    title_fr: str
    title_en: str
    hours: float
    format: str
    audience: str
    summary_fr: str
    summary_en: str = ""
    objectives_fr: str = ""
    language: str = "fr"
    # "code:level" of the module's framework (``framework``); a missing level is allowed: "1.1".
    competences: tuple[str, ...] = ()
    framework: str = DIGCOMP
    status: str = PUBLISHED
    prerequisites_fr: str = ""


@dataclass(frozen=True)
class PathwaySpec:
    org: str
    code: str
    title_fr: str
    title_en: str
    summary_fr: str
    summary_en: str
    rule_text: str
    status: str = PUBLISHED


@dataclass(frozen=True)
class CompletionSpec:
    learner: str  # e-mail
    org: str
    module: str  # module code
    days_ago: int


@dataclass(frozen=True)
class OrgCatalogue:
    org: str
    modules: tuple[ModuleSpec, ...] = field(default_factory=tuple)


# --- Organisations -------------------------------------------------------------------------

TECHNOFUTUR = "technofutur-tic"
TECHNOCITE = "technocite"
PROVINCE = "province-de-liege"

ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec(
        slug=TECHNOFUTUR,
        name="Technofutur TIC",
        kind="competence_centre",
        website="https://www.technofuturtic.be",
        email="coordination@technofutur.demo",
        description=(
            "Centre de compétence wallon du numérique, installé à Gosselies. Son eduLAB est un "
            "lieu d'expérimentation et de partage pour les enseignants : webinaires, parcours "
            "IA pour l'école, certificat d'université en technopédagogie avec une université "
            "partenaire."
        ),
    ),
    OrgSpec(
        slug=TECHNOCITE,
        name="Technocité",
        kind="competence_centre",
        website="https://www.technocite.be",
        email="coordination@technocite.demo",
        description=(
            "Centre de compétence des technologies de l'information (à Hornu) et des industries "
            "culturelles et créatives (à Mons), avec une antenne à Tournai. Des formats d'une "
            "heure à plusieurs mois, pour demandeurs d'emploi, travailleurs, enseignants et "
            "jeunes de 8 à 18 ans."
        ),
    ),
    OrgSpec(
        slug=PROVINCE,
        name="Province de Liège",
        kind="public_body",
        website="https://www.provincedeliege.be",
        email="coordination@provincedeliege.demo",
        description=(
            "Pouvoir public provincial. Son département Enseignement fait tourner dans les "
            "écoles le Techni Truck et les dômes Technosphère pour faire découvrir les métiers "
            "scientifiques et techniques ; son département Formation gère une maison de la "
            "formation et un second site avec salles, parkings et catering."
        ),
    ),
)

# --- Sites -----------------------------------------------------------------------------------

SITES: tuple[SiteSpec, ...] = (
    # Technofutur TIC: the eduLAB, then the venues where the AI pathway is given.
    SiteSpec(
        TECHNOFUTUR,
        "eduLAB Gosselies",
        "Rue Auguste Piccard 20",
        "6041",
        "Gosselies",
        50.4662,
        4.4527,
        "Zoning de l'Aéropole. Bus TEC depuis la gare de Charleroi-Central (arrêt Aéropole). "
        "Parking gratuit devant le bâtiment ; l'eduLAB est au rez-de-chaussée, "
        "accès de plain-pied.",
    ),
    SiteSpec(
        TECHNOFUTUR,
        "Centre de formation Charleroi",
        "Boulevard Joseph Tirou 185",
        "6000",
        "Charleroi",
        50.4104,
        4.4446,
        "À dix minutes à pied de la gare de Charleroi-Central, métro station Janson. "
        "Pas de parking réservé : parkings publics à proximité.",
    ),
    SiteSpec(
        TECHNOFUTUR,
        "Espace partenaire Liège",
        "Rue des Croisiers 15",
        "4000",
        "Liège",
        50.6394,
        5.5672,
        "Bus 1 et 4 depuis la gare des Guillemins, arrêt Pont d'Avroy. Salle au 1er étage "
        "(ascenseur).",
    ),
    SiteSpec(
        TECHNOFUTUR,
        "Antenne Tournai",
        "Rue Paul Pastur 2",
        "7500",
        "Tournai",
        50.6063,
        3.3889,
        "À 800 m de la gare de Tournai. Parking visiteurs dans la cour, entrée par la grille "
        "latérale.",
    ),
    SiteSpec(
        TECHNOFUTUR,
        "Antenne Ciney",
        "Rue du Condroz 12",
        "5590",
        "Ciney",
        50.2946,
        5.1000,
        "Gare de Ciney à 5 minutes à pied. Parking de la Place Monseu.",
    ),
    SiteSpec(
        TECHNOFUTUR,
        "Antenne Mariembourg",
        "Rue de la Gare 6",
        "5660",
        "Mariembourg",
        50.0937,
        4.5247,
        "En face de la gare de Mariembourg (ligne Charleroi-Couvin). Parking gratuit.",
    ),
    # Technocité
    SiteSpec(
        TECHNOCITE,
        "Technocité Hornu — TIC",
        "Rue Henri Degorge 1",
        "7301",
        "Hornu",
        50.4340,
        3.8388,
        "Au château Degorge, face au site du Grand-Hornu. Bus 7 et 9 depuis Mons, arrêt "
        "Grand-Hornu. Parking dans la cour. La RUCHE est au 2e étage.",
    ),
    SiteSpec(
        TECHNOCITE,
        "Technocité Mons — ICC",
        "Boulevard Initialis 28",
        "7000",
        "Mons",
        50.4594,
        3.9628,
        "Parc scientifique Initialis. Bus 1 depuis la gare de Mons, arrêt Initialis. "
        "Le NID et la salle d'escape game sont au rez-de-chaussée.",
    ),
    SiteSpec(
        TECHNOCITE,
        "Technocité Tournai — e-campus",
        "Rue du Progrès 40",
        "7500",
        "Tournai",
        50.6126,
        3.4060,
        "Sur le campus numérique, à 15 minutes à pied de la gare de Tournai. Parking du campus.",
    ),
    # Province de Liège (seed 004): the Training department books rooms and training spaces at the
    # Maison provinciale de la Formation (MPF) and at Amay, parking places at the MPF, and rooms
    # and parking at the B3 in Bavière; lobby screens at the MPF and Amay. The Education
    # department's mobile units (seed 000) leave from their own base.
    SiteSpec(
        PROVINCE,
        "Maison provinciale de la Formation",
        "Rue Cockerill 101",
        "4100",
        "Seraing",
        50.6100,
        5.5080,
        "Bus 2 et 90 depuis Liège-Guillemins, arrêt Seraing Pont. Places de parking attribuées "
        "par la cellule logistique, sur demande. Écrans d'accueil dans le hall.",
    ),
    SiteSpec(
        PROVINCE,
        "Site de formation d'Amay",
        "",
        "4540",
        "Amay",
        50.5480,
        5.3190,
        "À dix minutes à pied de la gare d'Amay. Salles de cours et espaces d'entraînement ; "
        "écran d'accueil à l'entrée, Wi-Fi public provincial.",
    ),
    SiteSpec(
        PROVINCE,
        "B3 — site de Bavière",
        "",
        "4020",
        "Liège",
        50.6440,
        5.5850,
        "Sur l'ancien site hospitalier de Bavière, en Outremeuse. Parking du B3 sur attribution.",
    ),
    SiteSpec(
        PROVINCE,
        "Dispositifs mobiles — Enseignement provincial",
        "",
        "4100",
        "Seraing",
        50.6050,
        5.4990,
        "Base du Techni Truck et des deux dômes Technosphère. Ils se déplacent dans les écoles : "
        "pas d'accueil du public sur place.",
    ),
)

# --- People -----------------------------------------------------------------------------------

ADMIN = PersonSpec("", "superuser", ADMIN_EMAIL, "Alex", "Administrateur")

STAFF: tuple[PersonSpec, ...] = (
    PersonSpec(TECHNOFUTUR, "coordinator", "coordination@technofutur.demo", "Claire", "Dessart"),
    PersonSpec(TECHNOFUTUR, "trainer", "formateur@technofutur.demo", "Hugo", "Vandamme"),
    PersonSpec(TECHNOFUTUR, "logistics", "logistique@technofutur.demo", "Nadia", "Gilles"),
    PersonSpec(TECHNOFUTUR, "school_contact", "ecole@technofutur.demo", "Martine", "Baudoux"),
    PersonSpec(TECHNOCITE, "coordinator", "coordination@technocite.demo", "Damien", "Lecocq"),
    PersonSpec(TECHNOCITE, "trainer", "formateur@technocite.demo", "Yasmina", "Haddad"),
    PersonSpec(TECHNOCITE, "logistics", "logistique@technocite.demo", "Jean-Marc", "Delhaye"),
    PersonSpec(TECHNOCITE, "school_contact", "ecole@technocite.demo", "Sophie", "Carlier"),
    PersonSpec(TECHNOCITE, "career_manager", "carriere@technocite.demo", "Nadia", "Vandenberghe"),
    PersonSpec(PROVINCE, "coordinator", "coordination@provincedeliege.demo", "Anne", "Thonon"),
    PersonSpec(PROVINCE, "trainer", "formateur@provincedeliege.demo", "Benoît", "Kaiser"),
    PersonSpec(PROVINCE, "logistics", "logistique@provincedeliege.demo", "Luc", "Hansen"),
    PersonSpec(PROVINCE, "school_contact", "ecole@provincedeliege.demo", "Véronique", "Piette"),
    # One administrator per organisation (members, roles, sites, tokens, audit log), and at the
    # Province an agent who only looks at room occupancy (seed 004's intranet portal).
    PersonSpec(TECHNOFUTUR, "administrator", "admin@technofutur.demo", "Pascale", "Mertens"),
    PersonSpec(TECHNOCITE, "administrator", "admin@technocite.demo", "Olivier", "Dupont"),
    PersonSpec(PROVINCE, "administrator", "admin@provincedeliege.demo", "Christine", "Lemaire"),
    PersonSpec(PROVINCE, "agent", "agent@provincedeliege.demo", "Marc", "Jacquemin"),
)


# Administration pages are not empty on the first day: a trainer invited at Technofutur TIC who
# has not answered yet, a retention period at the Province (two years without activity), and a
# search synonym of the Province's own words.
PENDING_INVITATIONS: tuple[tuple[str, str, str, str, str], ...] = (
    (TECHNOFUTUR, "lea.martens@technofutur.demo", "trainer", "Léa", "Martens"),
)
RETENTION_DAYS: tuple[tuple[str, int], ...] = ((PROVINCE, 730),)
SYNONYMS: tuple[tuple[str, str, str], ...] = (
    (PROVINCE, "micro:bit", "microbit, carte programmable"),
)


def _learner(org: str, first: str, last: str, postcode: str, language: str = "fr") -> PersonSpec:
    email = f"{_ascii(first)}.{_ascii(last)}@exemple.demo"
    return PersonSpec(org, "learner", email, first, last, language, postcode)


def _ascii(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.lower().replace(" ", "-").replace("'", "")


LEARNERS: tuple[PersonSpec, ...] = (
    # Technofutur TIC: teachers and school heads following the AI pathway / the certificate.
    _learner(TECHNOFUTUR, "Camille", "Lambert", "6000"),
    _learner(TECHNOFUTUR, "Nathalie", "Dubois", "5590"),
    _learner(TECHNOFUTUR, "Emma", "Collins", "1050", language="en"),
    _learner(TECHNOFUTUR, "Julien", "Lejeune", "7500"),
    _learner(TECHNOFUTUR, "Sarah", "Peeters", "4000"),
    _learner(TECHNOFUTUR, "Thomas", "Wilmots", "5660"),
    _learner(TECHNOFUTUR, "Oliver", "Grant", "1180", language="en"),
    _learner(TECHNOFUTUR, "Lucas", "Martin", "6041"),
    _learner(TECHNOFUTUR, "Marc", "Renard", "7000"),
    _learner(TECHNOFUTUR, "Aïcha", "Benali", "6060"),
    # Technocité: jobseekers and employees.
    _learner(TECHNOCITE, "Inès", "Moreau", "7301"),
    _learner(TECHNOCITE, "Kevin", "Dumont", "7000"),
    _learner(TECHNOCITE, "Manon", "Lefèvre", "7500"),
    _learner(TECHNOCITE, "Daniel", "Evans", "7000", language="en"),
    _learner(TECHNOCITE, "Rayan", "El Amrani", "7340"),
    # Province de Liège: provincial staff following internal trainings.
    _learner(PROVINCE, "Pierre", "Gilson", "4100"),
    _learner(PROVINCE, "Isabelle", "Henrard", "4540"),
    _learner(PROVINCE, "Gaëlle", "Frères", "4020"),
)

PEOPLE: tuple[PersonSpec, ...] = (ADMIN, *STAFF, *LEARNERS)

# Named learners, used by the completions below and checked by the tests.
CAMILLE = "camille.lambert@exemple.demo"  # AI pathway earned: M1A + 2 options + closing
NATHALIE = "nathalie.dubois@exemple.demo"  # AI pathway earned as a school head: M1B + 2 + closing
EMMA = "emma.collins@exemple.demo"  # AI pathway earned, with 3 options (English-speaking)
JULIEN = "julien.lejeune@exemple.demo"  # one short: only the closing module is missing
SARAH = "sarah.peeters@exemple.demo"  # one short: only one option done
THOMAS = "thomas.wilmots@exemple.demo"  # just started: M1A
OLIVER = "oliver.grant@exemple.demo"  # just started: M1B (English-speaking school head)
LUCAS = "lucas.martin@exemple.demo"  # just started: one option, no introduction yet
MARC = "marc.renard@exemple.demo"  # university certificate: all five units
AICHA = "aicha.benali@exemple.demo"  # certificate: four units of five (one short)
INES = "ines.moreau@exemple.demo"  # Technocité web developer pathway earned
KEVIN = "kevin.dumont@exemple.demo"  # web developer pathway: hours still short

AI_PATHWAY = "REF-IA"
CERTIFICATE = "NUMEFA"
WEB_PATHWAY = "DEV-WEB"
GAME_PATHWAY = "JEU-VIDEO"

AI_EARNED = (CAMILLE, NATHALIE, EMMA)
AI_ONE_SHORT = (JULIEN, SARAH)
AI_STARTED = (THOMAS, OLIVER, LUCAS)
CERTIFICATE_EARNED = (MARC,)
CERTIFICATE_ONE_SHORT = (AICHA,)
WEB_EARNED = (INES,)
WEB_NOT_YET = (KEVIN,)

# --- Technofutur TIC catalogue ---------------------------------------------------------------

_AI_OBJ = (
    "- situer l'IA générative dans sa pratique ;\n"
    "- tester des usages en classe et en mesurer les limites ;\n"
    "- repartir avec une activité prête à l'emploi."
)

AI_OPTIONS = (
    "IA-PERSO",
    "IA-ETHIQUE",
    "IA-LUDO",
    "IA-LANGUES",
    "IA-EVAL",
    "IA-INCLUSION",
    "IA-RESSOURCES",
    "IA-RGPD",
)

TECHNOFUTUR_MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "M1A",
        "Intégrer l'IA générative dans sa pratique enseignante",
        "Integrating generative AI into teaching practice",
        12,
        IN_PERSON,
        TEACHERS,
        "Deux journées pour comprendre ce que fait (et ne fait pas) une IA générative, l'essayer "
        "sur ses propres préparations de cours et poser les premières règles d'usage en classe. "
        "Porte d'entrée du parcours référent·e IA pour les enseignants.",
        "Two days to understand what generative AI does and does not do, try it on your own "
        "lesson plans and set first classroom rules. Entry point of the AI-referent pathway.",
        _AI_OBJ,
        competences=("1.4:A2", "2.1:A2", "3.1:A2"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "M1B",
        "Piloter son établissement avec l'IA",
        "Leading a school with AI",
        12,
        IN_PERSON,
        HEADS,
        "La version « directions » de l'introduction : ce que l'IA change pour l'organisation "
        "d'une école, la communication avec les équipes et les familles, et comment fixer un "
        "cadre d'usage partagé.",
        "The school-leader version of the introduction: what AI changes for running a school, "
        "communicating with staff and families, and agreeing on a shared usage policy.",
        "- cartographier les usages de l'IA dans son école ;\n- rédiger une charte d'usage.",
        competences=("1.1:B1", "1.2:B1", "1.4:A2"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-PERSO",
        "Personnaliser les apprentissages avec l'IA",
        "Personalising learning with AI",
        12,
        IN_PERSON,
        TEACHERS,
        "Différencier sans s'épuiser : générer des exercices à plusieurs niveaux, des feedbacks "
        "ciblés et des parcours adaptés, tout en gardant la main sur les choix pédagogiques.",
        "Differentiate without burning out: multi-level exercises, targeted feedback and "
        "adapted paths, with the teacher keeping control of pedagogical choices.",
        competences=("5.2:B1", "3.4:B1"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-ETHIQUE",
        "Éthique et regard critique sur l'IA",
        "Ethics and a critical view of AI",
        12,
        IN_PERSON,
        TEACHERS,
        "Biais, hallucinations, droits d'auteur, impact environnemental : des activités pour "
        "développer l'esprit critique des élèves (et le sien) face aux contenus générés.",
        "Bias, hallucinations, copyright, environmental impact: activities to build pupils' "
        "(and teachers') critical thinking about generated content.",
        competences=("6.1:B1", "6.4:B1"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-LUDO",
        "Ludopédagogie et IA : apprendre en jouant",
        "Game-based learning and AI",
        12,
        IN_PERSON,
        TEACHERS,
        "Concevoir un jeu sérieux, une chasse au trésor ou un escape game pédagogique avec "
        "l'aide de l'IA, le tester entre collègues et l'adapter à sa classe.",
        "Design a serious game, a treasure hunt or an educational escape game with AI's help, "
        "playtest it with colleagues and adapt it to your class.",
        competences=("5.3:B1", "3.3:A2"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-LANGUES",
        "L'IA au service de l'apprentissage des langues",
        "AI to support language learning",
        12,
        HYBRID,
        TEACHERS,
        "Conversation avec un tuteur virtuel, correction commentée, textes adaptés au niveau "
        "CECRL : ce que l'IA apporte au cours de langues, et ce qu'il faut garder humain.",
        "Conversation with a virtual tutor, annotated corrections, texts matched to CEFR "
        "levels: what AI brings to language lessons and what must stay human.",
        competences=("3.1:B1", "5.2:A2"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-EVAL",
        "Évaluer à l'ère de l'IA",
        "Assessment in the age of AI",
        12,
        IN_PERSON,
        TEACHERS,
        "Repenser les travaux à domicile, construire des grilles critériées, proposer des "
        "évaluations où l'IA devient un outil déclaré plutôt qu'une triche cachée.",
        "Rethink homework, build rubrics, design assessments where AI is a declared tool "
        "rather than hidden cheating.",
        competences=("4.1:B1", "4.3:B1"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-INCLUSION",
        "IA, accessibilité et inclusion",
        "AI, accessibility and inclusion",
        12,
        IN_PERSON,
        TEACHERS,
        "Synthèse vocale, simplification de textes, sous-titrage, aides à la dyslexie : "
        "outiller les élèves à besoins spécifiques dans le respect des aménagements raisonnables.",
        "Text-to-speech, plain-language rewriting, captions, dyslexia aids: equipping pupils "
        "with specific needs within reasonable accommodations.",
        competences=("5.1:B1",),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-RESSOURCES",
        "Créer ses ressources pédagogiques avec l'IA",
        "Creating teaching resources with AI",
        12,
        IN_PERSON,
        TEACHERS,
        "Fiches, supports visuels, capsules audio et quiz : produire plus vite des ressources "
        "de qualité, les vérifier, les partager sous licence libre.",
        "Worksheets, visuals, audio clips and quizzes: produce quality resources faster, check "
        "them and share them under an open licence.",
        competences=("2.2:B1", "2.3:A2"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-RGPD",
        "IA et protection des données à l'école",
        "AI and data protection at school",
        12,
        VIRTUAL,
        TEACHERS,
        "Quelles données peut-on confier à un outil d'IA ? Comptes élèves, consentement, RGPD "
        "et choix d'outils respectueux de la vie privée, avec des cas concrets.",
        "What data may be given to an AI tool? Pupil accounts, consent, GDPR and "
        "privacy-friendly tool choices, with real cases.",
        competences=("2.3:B1", "6.4:A2"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "IA-CLOTURE",
        "Devenir référent·e IA dans son école",
        "Becoming your school's AI referent",
        12,
        IN_PERSON,
        TEACHERS,
        "Module de clôture : repenser sa posture face à l'IA, mettre en place une veille "
        "collaborative et endosser le rôle de personne relais auprès de ses collègues.",
        "Closing module: rethink your stance on AI, set up collaborative monitoring and take "
        "on the role of go-to person for colleagues.",
        competences=("1.2:B2", "1.3:B2", "1.4:B1"),
        framework=DIGCOMPEDU,
    ),
    # The university certificate in techno-pedagogy (eduLAB with a partner university).
    ModuleSpec(
        "UE1",
        "UE1 — Fondements pédagogiques du numérique",
        "Unit 1 — Pedagogical foundations of digital learning",
        30,
        HYBRID,
        TEACHERS,
        "Théories de l'apprentissage, modèles d'intégration du numérique (SAMR, TPACK) et "
        "démarrage du projet professionnel individuel, accompagné par un coach.",
        "Learning theories, technology-integration models (SAMR, TPACK) and the start of the "
        "individual professional project, with a coach.",
        competences=("1.3:B1", "3.1:B1"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "UE2",
        "UE2 — Évaluation numérique",
        "Unit 2 — Digital assessment",
        30,
        HYBRID,
        TEACHERS,
        "Évaluer avec et par le numérique : questionnaires, traces d'apprentissage, feedback "
        "automatisé et portfolio.",
        "Assessing with digital tools: quizzes, learning traces, automated feedback and "
        "portfolios.",
        competences=("4.1:B2", "4.2:B1", "4.3:B1"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "UE3",
        "UE3 — Éducation à l'informatique",
        "Unit 3 — Computing education",
        30,
        HYBRID,
        TEACHERS,
        "Pensée informatique, algorithmique débranchée et programmation par blocs : enseigner "
        "l'informatique dès l'école primaire.",
        "Computational thinking, unplugged algorithms and block programming: teaching "
        "computing from primary school onwards.",
        competences=("6.3:B1", "6.5:B1"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "UE4",
        "UE4 — Concevoir des dispositifs multimodaux",
        "Unit 4 — Multimodal learning designs",
        30,
        HYBRID,
        TEACHERS,
        "Articuler présentiel, distanciel et travail autonome ; scénariser un dispositif "
        "hybride et le tester avec ses apprenants.",
        "Combine face-to-face, remote and self-paced work; script a blended design and try it "
        "with your learners.",
        competences=("2.2:B2", "3.1:B2", "3.4:B1"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "UE5",
        "UE5 — Animer une communauté d'apprentissage",
        "Unit 5 — Facilitating learning communities",
        30,
        HYBRID,
        TEACHERS,
        "Faire vivre une communauté de pratique : cycles de production collaborative, "
        "livrables partagés sous Creative Commons, posture d'animateur.",
        "Running a community of practice: collaborative production cycles, deliverables shared "
        "under Creative Commons, the facilitator's stance.",
        competences=("1.2:B2", "3.3:B2"),
        framework=DIGCOMPEDU,
    ),
    # Other eduLAB offers.
    ModuleSpec(
        "EDULAB-WEB1",
        "Webinaire eduLAB TV : l'IA générative en classe, par où commencer ?",
        "eduLAB TV webinar: generative AI in class, where to start?",
        1,
        VIRTUAL,
        TEACHERS,
        "Une heure en direct pour découvrir les usages de base et poser vos questions. "
        "Rediffusion disponible sur l'eduLAB TV.",
        "A live hour to discover the basics and ask your questions; replay on eduLAB TV.",
        competences=("1.4:A1",),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "STEAM-01",
        "STEAMagine : concevoir un dispositif STEAM en autonomie",
        "STEAMagine: designing a STEAM activity on your own",
        24,
        HYBRID,
        TEACHERS,
        "Pour enseignants et animateurs jeunesse : construire pas à pas une activité STEAM "
        "(sciences, technologie, ingénierie, arts, mathématiques) et la valoriser par un badge.",
        competences=("5.3:B1", "6.3:A2"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "RELAIS-80",
        "Personne relais pour la transition numérique",
        "Digital transition go-to person",
        80,
        HYBRID,
        TEACHERS,
        "Onze modules alternant visioconférences, présentiel et travail autonome, avec un "
        "ePortfolio, pour les conseillers technopédagogiques de tous les réseaux.",
        competences=("1.2:B2", "1.4:B2"),
        framework=DIGCOMPEDU,
    ),
    ModuleSpec(
        "KLP-01",
        "Kid's Learning Planet : atelier créatif numérique",
        "Kid's Learning Planet: creative digital workshop",
        3,
        IN_PERSON,
        PUPILS,
        "Un atelier pour les 8 à 12 ans : inventer une histoire, la mettre en images et la "
        "programmer sur tablette.",
        competences=("3.1:2", "3.4:1"),
    ),
    ModuleSpec(
        "IA-AGENTS",
        "Assistants conversationnels en classe (en préparation)",
        "Chatbots in class (in preparation)",
        6,
        HYBRID,
        TEACHERS,
        "Brouillon : créer un assistant conversationnel pour accompagner les révisions.",
        competences=("2.2:B1",),
        framework=DIGCOMPEDU,
        status=DRAFT,
    ),
    ModuleSpec(
        "IA-QC",
        "Parcours IA — adaptation pour la francophonie",
        "AI pathway — adaptation for French-speaking countries",
        12,
        VIRTUAL,
        TEACHERS,
        "",
        status=DRAFT,
    ),
    ModuleSpec(
        "EDULAB-TV20",
        "Continuité pédagogique à distance (cycle eduLAB TV 2020)",
        "Remote teaching continuity (eduLAB TV 2020 series)",
        6,
        VIRTUAL,
        TEACHERS,
        "Le cycle de webinaires lancé pendant le confinement pour garder le lien avec les "
        "élèves. Remplacé par les webinaires eduLAB actuels.",
        competences=("3.1:A2",),
        framework=DIGCOMPEDU,
        status=ARCHIVED,
    ),
)

# --- Technocité catalogue ----------------------------------------------------------------------


def _m(
    code: str,
    title_fr: str,
    title_en: str,
    hours: float,
    fmt: str,
    audience: str,
    summary_fr: str,
    *competences: str,
    language: str = "fr",
    status: str = PUBLISHED,
    summary_en: str = "",
) -> ModuleSpec:
    return ModuleSpec(
        code,
        title_fr,
        title_en,
        hours,
        fmt,
        audience,
        summary_fr,
        summary_en,
        language=language,
        competences=competences,
        status=status,
    )


TECHNOCITE_MODULES: tuple[ModuleSpec, ...] = (
    # ICT at Hornu (some given at Tournai).
    _m(
        "IOT-101",
        "Objets connectés : premiers pas avec Arduino et ESP32",
        "Connected objects: getting started with Arduino and ESP32",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "Capteurs, actionneurs et microcontrôleurs : monter et programmer ses premiers objets "
        "connectés, du prototype sur breadboard au tableau de bord web.",
        "3.4:4",
        "5.2:3",
    ),
    _m(
        "IOT-201",
        "Réseaux LoRaWAN et capteurs pour la ville intelligente",
        "LoRaWAN networks and smart-city sensors",
        21,
        IN_PERSON,
        EMPLOYEES,
        "Déployer un réseau de capteurs basse consommation, collecter et visualiser les "
        "mesures (qualité de l'air, parkings, comptage).",
        "5.2:5",
    ),
    _m(
        "CYB-101",
        "Cybersécurité : les bases pour les PME",
        "Cybersecurity basics for small businesses",
        14,
        IN_PERSON,
        EMPLOYEES,
        "Mots de passe, sauvegardes, mises à jour, hameçonnage : les mesures qui protègent "
        "vraiment une petite structure, et un plan d'action à ramener au bureau.",
        "4.1:3",
        "4.2:3",
    ),
    _m(
        "CYB-201",
        "Tests d'intrusion et hacking éthique",
        "Penetration testing and ethical hacking",
        70,
        IN_PERSON,
        JOBSEEKERS,
        "Reconnaissance, exploitation et rapport : la méthode d'un test d'intrusion, pratiquée "
        "sur un laboratoire isolé.",
        "4.1:6",
    ),
    _m(
        "CYB-WEB",
        "Webinaire : repérer un hameçonnage en 10 secondes",
        "Webinar: spotting phishing in 10 seconds",
        1,
        VIRTUAL,
        EVERYONE,
        "Une heure pour apprendre les réflexes qui déjouent la plupart des arnaques par "
        "e-mail et SMS.",
        "4.2:2",
    ),
    _m(
        "CYB-SOC",
        "Analyste en centre opérationnel de sécurité (SOC)",
        "Security operations centre (SOC) analyst",
        420,
        HYBRID,
        JOBSEEKERS,
        "Formation qualifiante de plusieurs mois : supervision, détection d'incidents, "
        "SIEM, réponse et stage en entreprise.",
        "4.1:6",
        "5.1:5",
    ),
    _m(
        "SYS-101",
        "Administration de systèmes Linux",
        "Linux system administration",
        70,
        IN_PERSON,
        JOBSEEKERS,
        "Ligne de commande, utilisateurs, services, scripts Bash et supervision d'un serveur "
        "Linux.",
        "5.1:5",
    ),
    _m(
        "SYS-201",
        "Windows Server et Active Directory",
        "Windows Server and Active Directory",
        56,
        IN_PERSON,
        JOBSEEKERS,
        "Installer et administrer un domaine : comptes, stratégies de groupe, partages et "
        "sauvegardes.",
        "5.1:5",
    ),
    _m(
        "SYS-VIRT",
        "Virtualisation avec Proxmox et VMware",
        "Virtualisation with Proxmox and VMware",
        35,
        IN_PERSON,
        EMPLOYEES,
        "Concevoir une infrastructure virtualisée, gérer les machines, le stockage et la "
        "haute disponibilité.",
        "5.1:6",
    ),
    _m(
        "SYS-CLOUD",
        "Déployer dans le cloud : AWS et Azure",
        "Deploying to the cloud: AWS and Azure",
        35,
        HYBRID,
        EMPLOYEES,
        "Machines virtuelles, stockage, réseaux et coûts : mettre une application en ligne "
        "chez deux fournisseurs et comparer.",
        "5.2:5",
    ),
    _m(
        "NET-CCNA",
        "Réseaux : préparation à la certification CCNA",
        "Networking: CCNA certification preparation",
        120,
        HYBRID,
        JOBSEEKERS,
        "Adressage IP, routage, commutation, VLAN et sécurité des réseaux, avec des travaux "
        "pratiques sur du matériel réel.",
        "5.1:5",
    ),
    _m(
        "NET-WIFI",
        "Wi-Fi professionnel : concevoir et sécuriser",
        "Professional Wi-Fi: design and security",
        14,
        IN_PERSON,
        EMPLOYEES,
        "Étude de couverture, choix des bornes, authentification et réseau invité.",
        "4.1:4",
    ),
    _m(
        "DATA-SQL",
        "Bases de données relationnelles et SQL",
        "Relational databases and SQL",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "Modéliser des données, écrire des requêtes SQL de la plus simple à la jointure "
        "complexe, optimiser avec des index.",
        "1.3:4",
        "3.4:4",
    ),
    _m(
        "DATA-PY",
        "Analyse de données avec Python",
        "Data analysis with Python",
        35,
        HYBRID,
        EMPLOYEES,
        "Nettoyer, explorer et visualiser des données avec pandas et des notebooks.",
        "1.3:5",
        "3.4:4",
    ),
    _m(
        "DATA-BI",
        "Tableaux de bord avec Power BI",
        "Dashboards with Power BI",
        21,
        IN_PERSON,
        EMPLOYEES,
        "Connecter des sources, modéliser, construire des rapports lisibles et les partager.",
        "1.3:4",
    ),
    _m(
        "DATA-ENG",
        "Data engineering pipelines",
        "Data engineering pipelines",
        35,
        VIRTUAL,
        EMPLOYEES,
        "Formation donnée en anglais : ingestion, transformation et orchestration de flux "
        "de données.",
        "1.3:6",
        language="en",
        summary_en="Taught in English: ingesting, transforming and orchestrating data flows.",
    ),
    _m(
        "IA-ML",
        "Apprentissage automatique : introduction",
        "Introduction to machine learning",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "Régression, classification, évaluation d'un modèle : les bases du machine learning "
        "avec scikit-learn.",
        "3.4:5",
        "5.2:4",
    ),
    _m(
        "IA-GEN",
        "L'IA générative au travail",
        "Generative AI at work",
        7,
        VIRTUAL,
        EMPLOYEES,
        "Une journée pour intégrer les assistants IA dans ses tâches de bureau, avec leurs "
        "limites et les précautions de confidentialité.",
        "2.1:3",
        "4.2:3",
    ),
    _m(
        "IA-PROMPT",
        "Webinaire : écrire de bonnes consignes pour une IA",
        "Webinar: writing good prompts",
        1,
        VIRTUAL,
        EVERYONE,
        "Une heure de démonstrations pour passer de réponses vagues à des résultats utiles.",
        "2.1:2",
    ),
    _m(
        "JS-101",
        "JavaScript : les fondamentaux",
        "JavaScript fundamentals",
        70,
        IN_PERSON,
        JOBSEEKERS,
        "Variables, fonctions, objets, DOM et appels asynchrones : la base de tout "
        "développement web moderne.",
        "3.4:4",
    ),
    _m(
        "JS-REACT",
        "Applications web avec React",
        "Web applications with React",
        70,
        IN_PERSON,
        JOBSEEKERS,
        "Composants, état, routage et appels d'API : construire une application monopage.",
        "3.4:5",
    ),
    _m(
        "JS-NODE",
        "Node.js et API REST",
        "Node.js and REST APIs",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "Écrire un service web avec Node.js, le documenter, le tester et le déployer.",
        "3.4:5",
    ),
    _m(
        "DOTNET-101",
        "Développement .NET et C#",
        ".NET and C# development",
        105,
        IN_PERSON,
        JOBSEEKERS,
        "Le langage C#, la programmation orientée objet et les applications web ASP.NET Core.",
        "3.4:5",
    ),
    _m(
        "JAVA-101",
        "Java : programmation orientée objet",
        "Java object-oriented programming",
        105,
        IN_PERSON,
        JOBSEEKERS,
        "Classes, héritage, collections, tests unitaires et premiers pas avec Maven.",
        "3.4:5",
    ),
    _m(
        "JAVA-SPRING",
        "Services web avec Spring Boot",
        "Web services with Spring Boot",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "Construire une API robuste avec Spring Boot, JPA et la sécurité Spring.",
        "3.4:6",
    ),
    _m(
        "PHP-101",
        "PHP et MySQL",
        "PHP and MySQL",
        70,
        IN_PERSON,
        JOBSEEKERS,
        "Créer un site dynamique : formulaires, sessions, accès aux données et sécurité de base.",
        "3.4:4",
    ),
    _m(
        "PHP-LARAVEL",
        "Framework Laravel",
        "The Laravel framework",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "Routage, modèles Eloquent, vues Blade et authentification avec Laravel.",
        "3.4:5",
    ),
    _m(
        "WEB-HTML",
        "HTML et CSS : les bases du web",
        "HTML and CSS: web basics",
        35,
        SELF_PACED,
        JOBSEEKERS,
        "À son rythme, en ligne : structurer une page, la mettre en forme, la rendre responsive.",
        "3.1:3",
    ),
    _m(
        "WEB-A11Y",
        "Accessibilité numérique des sites web (WCAG)",
        "Web accessibility (WCAG)",
        14,
        IN_PERSON,
        EMPLOYEES,
        "Auditer un site selon les WCAG 2.1, corriger les défauts courants et tester avec un "
        "lecteur d'écran.",
        "3.1:5",
        "2.1:4",
    ),
    _m(
        "DEV-GIT",
        "Git et travail collaboratif",
        "Git and collaborative work",
        7,
        IN_PERSON,
        JOBSEEKERS,
        "Versionner son code, travailler en branches, relire et fusionner les contributions.",
        "2.4:4",
    ),
    _m(
        "BLOCKCHAIN",
        "Blockchain : comprendre avant d'investir",
        "Blockchain: understand before you invest",
        7,
        VIRTUAL,
        EMPLOYEES,
        "Principes, cas d'usage réalistes et limites de la blockchain pour une entreprise.",
        "5.2:3",
    ),
    _m(
        "ENS-CYBER",
        "La cybersécurité expliquée en classe",
        "Teaching cybersecurity in class",
        6,
        IN_PERSON,
        TEACHERS,
        "Pour les enseignants du secondaire : activités clés en main sur les mots de passe, "
        "les traces en ligne et les arnaques.",
        "4.2:4",
    ),
    # Creative industries at Mons.
    _m(
        "GAME-DES",
        "Game design : concevoir un jeu vidéo",
        "Game design",
        70,
        IN_PERSON,
        JOBSEEKERS,
        "Mécaniques, boucles de jeu, niveaux et tests utilisateurs : écrire le document de "
        "conception d'un jeu et le prototyper.",
        "5.3:5",
    ),
    _m(
        "GAME-UNITY",
        "Développer un jeu avec Unity",
        "Developing a game with Unity",
        105,
        IN_PERSON,
        JOBSEEKERS,
        "Programmer en C# dans Unity : physique, animations, interface et publication d'un "
        "jeu complet.",
        "3.4:5",
        "3.1:5",
    ),
    _m(
        "GAME-PITCH",
        "Pitching your game to publishers",
        "Pitching your game to publishers",
        7,
        IN_PERSON,
        EMPLOYEES,
        "Atelier en anglais : préparer un dossier et un pitch de jeu pour éditeurs et "
        "investisseurs.",
        "2.1:4",
        language="en",
        summary_en="Workshop in English: prepare a pitch deck for publishers and investors.",
    ),
    _m(
        "MOTION-101",
        "Motion design avec After Effects",
        "Motion design with After Effects",
        70,
        IN_PERSON,
        JOBSEEKERS,
        "Animer du texte, des formes et des illustrations pour des vidéos explicatives et des "
        "génériques.",
        "3.1:5",
    ),
    _m(
        "VFX-101",
        "Effets visuels et compositing",
        "Visual effects and compositing",
        105,
        IN_PERSON,
        JOBSEEKERS,
        "Incrustation, tracking, rotoscopie et étalonnage : intégrer des effets visuels dans "
        "des plans filmés.",
        "3.1:6",
    ),
    _m(
        "3D-BLENDER",
        "Modélisation et animation 3D avec Blender",
        "3D modelling and animation with Blender",
        70,
        HYBRID,
        JOBSEEKERS,
        "Modéliser, texturer, éclairer et animer des objets et personnages en 3D.",
        "3.1:5",
    ),
    _m(
        "AR-101",
        "Réalité augmentée : créer une expérience mobile",
        "Augmented reality: building a mobile experience",
        35,
        IN_PERSON,
        EMPLOYEES,
        "Concevoir une visite ou un jeu en réalité augmentée pour smartphone, du storyboard "
        "au test sur le terrain.",
        "3.1:5",
        "5.3:4",
    ),
    _m(
        "XR-MUSEUM",
        "Immersive experiences for museums",
        "Immersive experiences for museums",
        21,
        HYBRID,
        EMPLOYEES,
        "Formation en anglais pour les équipes de musées : réalité virtuelle et médiation "
        "numérique.",
        "5.3:4",
        language="en",
        summary_en="Taught in English, for museum teams: virtual reality and digital mediation.",
    ),
    _m(
        "CM-101",
        "Community management",
        "Community management",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "Stratégie éditoriale, calendrier, animation de communauté et mesure des résultats sur "
        "les réseaux sociaux.",
        "2.2:4",
        "2.6:4",
    ),
    _m(
        "CM-WEB",
        "Webinaire : planifier un mois de publications en une heure",
        "Webinar: plan a month of posts in an hour",
        1,
        VIRTUAL,
        EVERYONE,
        "Méthode et outils gratuits pour préparer ses publications à l'avance.",
        "2.2:3",
    ),
    _m(
        "PHOTO-NUM",
        "Photographie numérique",
        "Digital photography",
        35,
        IN_PERSON,
        EVERYONE,
        "Exposition, composition, lumière et retouche : réussir ses photos professionnelles.",
        "3.1:4",
    ),
    _m(
        "VIDEO-MOB",
        "Vidéo au smartphone pour les réseaux sociaux",
        "Smartphone video for social media",
        14,
        IN_PERSON,
        EMPLOYEES,
        "Tourner, monter et sous-titrer des vidéos courtes avec son téléphone.",
        "3.1:4",
    ),
    _m(
        "UX-101",
        "UX/UI design with Figma",
        "UX/UI design with Figma",
        35,
        VIRTUAL,
        EMPLOYEES,
        "Formation en anglais : recherche utilisateur, maquettes et prototypes interactifs "
        "dans Figma.",
        "3.1:5",
        language="en",
        summary_en="Taught in English: user research, wireframes and interactive prototypes.",
    ),
    _m(
        "ICC-ACAD",
        "Académie des ICC : l'espace culturel à l'ère numérique",
        "Cultural and creative industries academy",
        21,
        HYBRID,
        EMPLOYEES,
        "Trois journées avec des professionnels de la culture pour repenser publics, "
        "médiation et diffusion à l'heure du numérique.",
        "5.3:4",
    ),
    # Youth workshops (8 to 18).
    _m(
        "JEUNES-MINECRAFT",
        "Escape game dans Minecraft (8 à 12 ans)",
        "Minecraft escape game (ages 8 to 12)",
        3,
        IN_PERSON,
        PUPILS,
        "Par équipes, résoudre une énigme dans un monde Minecraft en apprenant à collaborer.",
        "2.4:1",
        "3.4:1",
    ),
    _m(
        "JEUNES-ROBOT",
        "Atelier robotique (10 à 14 ans)",
        "Robotics workshop (ages 10 to 14)",
        3,
        IN_PERSON,
        PUPILS,
        "Monter et programmer un petit robot pour relever des défis de parcours.",
        "3.4:2",
    ),
    _m(
        "JEUNES-JEU",
        "Stage : crée ton jeu vidéo (12 à 18 ans)",
        "Holiday course: make your own video game (ages 12 to 18)",
        20,
        IN_PERSON,
        PUPILS,
        "Une semaine de vacances pour imaginer, dessiner et programmer son propre jeu.",
        "3.4:2",
        "3.1:2",
    ),
    _m(
        "JEUNES-WEB",
        "Code ton premier site (12 à 16 ans)",
        "Code your first website (ages 12 to 16)",
        6,
        IN_PERSON,
        PUPILS,
        "Une journée pour créer et publier une page web personnelle.",
        "3.1:2",
    ),
    # Not (yet / any more) in the catalogue.
    _m(
        "QUANTUM-101",
        "Informatique quantique : découverte",
        "Quantum computing: a first look",
        7,
        VIRTUAL,
        EMPLOYEES,
        "En préparation : qubits, portes et premiers circuits sur simulateur.",
        status=DRAFT,
    ),
    _m(
        "GAME-AI",
        "IA et génération procédurale dans le jeu vidéo",
        "AI and procedural generation in games",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "",
        status=DRAFT,
    ),
    _m(
        "FLASH-ANIM",
        "Animation web avec Flash",
        "Web animation with Flash",
        35,
        IN_PERSON,
        JOBSEEKERS,
        "Ancienne formation, retirée du catalogue depuis la fin du lecteur Flash.",
        "3.1:3",
        status=ARCHIVED,
    ),
)

# --- Province de Liège catalogue ---------------------------------------------------------------

PROVINCE_MODULES: tuple[ModuleSpec, ...] = (
    # Techni Truck: last two primary years and first secondary degree.
    _m(
        "TT-CONSTRUCTION",
        "Techni Truck — Implanter une maison au laser",
        "Techni Truck — Laying out a house with a laser",
        2,
        IN_PERSON,
        PUPILS,
        "Avec des chaises d'implantation et un niveau laser, les élèves tracent au sol le plan "
        "d'une maison, puis découvrent les métiers de la construction.",
        "5.3:1",
    ),
    _m(
        "TT-LED",
        "Techni Truck — Un brassard de sécurité à LED",
        "Techni Truck — An LED safety armband",
        2,
        IN_PERSON,
        PUPILS,
        "Souder, assembler et tester un petit circuit électronique qui s'allume la nuit : "
        "chaque élève repart avec son brassard.",
        "5.3:1",
    ),
    _m(
        "TT-ROBOT",
        "Techni Truck — Missions robotiques sur sol lunaire",
        "Techni Truck — Robot missions on a lunar floor",
        2,
        IN_PERSON,
        PUPILS,
        "Piloter et programmer des robots pour accomplir des missions sur une maquette de sol "
        "lunaire.",
        "3.4:1",
    ),
    _m(
        "TT-ELEC",
        "Techni Truck — Câbler une maison",
        "Techni Truck — Wiring a house",
        2,
        IN_PERSON,
        PUPILS,
        "Réaliser le montage électrique d'une maison miniature : interrupteurs, prises et "
        "éclairage, en toute sécurité. L'animation la plus demandée par les écoles.",
        "5.1:1",
    ),
    _m(
        "TT-MICROBIT",
        "Techni Truck — Coder une serre avec micro:bit",
        "Techni Truck — Coding a greenhouse with micro:bit",
        2,
        IN_PERSON,
        PUPILS,
        "Aider Kocode le koala à faire pousser de l'eucalyptus : programmer l'arrosage et "
        "l'éclairage d'une serre avec des cartes micro:bit.",
        "3.4:2",
    ),
    # Technosphère: upper-secondary pupils, in the school's own premises.
    _m(
        "TS-EOLIEN",
        "Technosphère — Un parc éolien pour alimenter une ville",
        "Technosphere — A wind farm to power a city",
        2,
        IN_PERSON,
        PUPILS,
        "Sous le dôme, en réalité virtuelle et augmentée, les élèves du 3e degré conçoivent un "
        "parc éolien et rencontrent les métiers des énergies renouvelables.",
        "5.3:3",
    ),
    _m(
        "TS-EAU",
        "Technosphère 2.0 — Construire une station d'épuration",
        "Technosphere 2.0 — Building a water treatment plant",
        2,
        IN_PERSON,
        PUPILS,
        "Une expérience immersive sur la gestion durable de l'eau : concevoir une station "
        "d'épuration et découvrir la chaîne des métiers qui la font tourner.",
        "5.3:3",
    ),
    _m(
        "TS-KIT",
        "Préparer et prolonger une animation Technosphère",
        "Preparing and following up a Technosphere session",
        3,
        IN_PERSON,
        TEACHERS,
        "Pour les enseignants : prendre en main les boîtes à outils pédagogiques liées aux "
        "référentiels, avant et après le passage du dôme.",
        "5.4:4",
    ),
    # Staff trainings.
    _m(
        "PDL-PLANNING",
        "Réserver salles, parkings et catering en ligne",
        "Booking rooms, parking and catering online",
        3,
        IN_PERSON,
        EMPLOYEES,
        "Pour les secrétariats d'école et les agents : encoder ses demandes de locaux, de "
        "places de parking et de repas sans passer par l'e-mail.",
        "2.1:3",
    ),
    _m(
        "PDL-SECURITE",
        "Sécurité de l'information : les bons réflexes",
        "Information security: good habits",
        3,
        VIRTUAL,
        EMPLOYEES,
        "Mots de passe, double authentification, hameçonnage et signalement d'incident.",
        "4.1:3",
        "4.2:3",
    ),
    _m(
        "PDL-COLLAB",
        "Travailler en équipe avec les outils collaboratifs",
        "Teamwork with collaborative tools",
        7,
        IN_PERSON,
        EMPLOYEES,
        "Documents partagés, agenda, visioconférence : organiser le travail d'un service.",
        "2.4:3",
    ),
    _m(
        "PDL-RGPD",
        "Données personnelles des élèves : ce qu'il faut savoir",
        "Pupils' personal data: what to know",
        3,
        VIRTUAL,
        EMPLOYEES,
        "En préparation avec le délégué à la protection des données.",
        "4.2:4",
        status=DRAFT,
    ),
)

CATALOGUES: tuple[OrgCatalogue, ...] = (
    OrgCatalogue(TECHNOFUTUR, TECHNOFUTUR_MODULES),
    OrgCatalogue(TECHNOCITE, TECHNOCITE_MODULES),
    OrgCatalogue(PROVINCE, PROVINCE_MODULES),
)

# --- Pathways -----------------------------------------------------------------------------------

PATHWAYS: tuple[PathwaySpec, ...] = (
    PathwaySpec(
        TECHNOFUTUR,
        AI_PATHWAY,
        "Référent·e IA pour l'école",
        "AI referent for schools",
        "Dix modules de deux journées, donnés à Gosselies, Charleroi, Liège, Tournai, Ciney et "
        "Mariembourg. Le badge de référent·e IA demande quatre modules : l'introduction (M1A "
        "pour les enseignants ou M1B pour les directions), deux modules optionnels au choix "
        "parmi huit, et le module de clôture.",
        "Ten two-day modules. The AI-referent badge requires four: the introduction (M1A for "
        "teachers or M1B for school heads), two of the eight optional modules, and the closing "
        "module.",
        f"(M1A | M1B) & 2 parmi ({', '.join(AI_OPTIONS)}) & IA-CLOTURE",
    ),
    PathwaySpec(
        TECHNOFUTUR,
        CERTIFICATE,
        "Certificat d'université en technopédagogie",
        "University certificate in techno-pedagogy",
        "Organisé par l'eduLAB avec une université partenaire : cinq unités d'enseignement, un "
        "projet professionnel individuel, un coaching, un portfolio numérique et des open "
        "badges. Les cinq unités sont requises.",
        "Run by the eduLAB with a partner university: five teaching units, an individual "
        "professional project, coaching, a digital portfolio and open badges. All five units "
        "are required.",
        "UE1 & UE2 & UE3 & UE4 & UE5",
    ),
    PathwaySpec(
        TECHNOCITE,
        WEB_PATHWAY,
        "Développeur·euse web",
        "Web developer",
        "Les bases (HTML/CSS, JavaScript, Git), puis au moins 120 heures de spécialisation "
        "au choix : front-end React, back-end Node.js, PHP, Java ou .NET, et bases de données.",
        "The basics (HTML/CSS, JavaScript, Git), then at least 120 hours of specialisation of "
        "your choice: React, Node.js, PHP, Java or .NET, and databases.",
        "WEB-HTML & JS-101 & DEV-GIT & heures(120, parmi (JS-REACT, JS-NODE, PHP-101, "
        "PHP-LARAVEL, JAVA-101, JAVA-SPRING, DOTNET-101, DATA-SQL))",
    ),
    PathwaySpec(
        TECHNOCITE,
        GAME_PATHWAY,
        "Créateur·rice de jeux vidéo",
        "Video game creator",
        "Game design et développement Unity, plus une spécialisation graphique ou immersive "
        "au choix, à Mons.",
        "Game design and Unity development, plus one graphics or immersive specialisation, "
        "in Mons.",
        "GAME-DES & GAME-UNITY & 1 parmi (3D-BLENDER, MOTION-101, AR-101, VFX-101)",
    ),
)

# --- Completions --------------------------------------------------------------------------------


def _done(learner: str, org: str, *steps: tuple[str, int]) -> tuple[CompletionSpec, ...]:
    return tuple(CompletionSpec(learner, org, code, days) for code, days in steps)


COMPLETIONS: tuple[CompletionSpec, ...] = (
    # AI-referent pathway (Technofutur TIC).
    *_done(
        CAMILLE,
        TECHNOFUTUR,
        ("M1A", 330),
        ("IA-PERSO", 280),
        ("IA-ETHIQUE", 210),
        ("IA-CLOTURE", 120),
    ),
    *_done(
        NATHALIE, TECHNOFUTUR, ("M1B", 300), ("IA-EVAL", 240), ("IA-RGPD", 180), ("IA-CLOTURE", 95)
    ),
    *_done(
        EMMA,
        TECHNOFUTUR,
        ("M1A", 250),
        ("IA-LANGUES", 200),
        ("IA-INCLUSION", 150),
        ("IA-LUDO", 90),
        ("IA-CLOTURE", 40),
        ("EDULAB-WEB1", 260),
    ),
    *_done(JULIEN, TECHNOFUTUR, ("M1A", 190), ("IA-LUDO", 140), ("IA-RESSOURCES", 70)),
    *_done(SARAH, TECHNOFUTUR, ("M1A", 220), ("IA-ETHIQUE", 160), ("IA-CLOTURE", 30)),
    *_done(THOMAS, TECHNOFUTUR, ("M1A", 25), ("EDULAB-WEB1", 60)),
    *_done(OLIVER, TECHNOFUTUR, ("M1B", 18)),
    *_done(LUCAS, TECHNOFUTUR, ("IA-PERSO", 12)),
    # University certificate.
    *_done(
        MARC,
        TECHNOFUTUR,
        ("UE1", 350),
        ("UE2", 290),
        ("UE3", 230),
        ("UE4", 160),
        ("UE5", 75),
        ("STEAM-01", 45),
    ),
    *_done(AICHA, TECHNOFUTUR, ("UE1", 320), ("UE2", 260), ("UE3", 200), ("UE4", 110)),
    # Technocité.
    *_done(
        INES,
        TECHNOCITE,
        ("WEB-HTML", 340),
        ("JS-101", 300),
        ("DEV-GIT", 280),
        ("JS-REACT", 230),
        ("JS-NODE", 190),
        ("DATA-SQL", 150),
        ("WEB-A11Y", 100),
    ),
    *_done(
        KEVIN, TECHNOCITE, ("WEB-HTML", 200), ("JS-101", 150), ("DEV-GIT", 140), ("PHP-101", 60)
    ),
    *_done(
        "manon.lefevre@exemple.demo",
        TECHNOCITE,
        ("CM-101", 210),
        ("CM-WEB", 205),
        ("VIDEO-MOB", 120),
        ("PHOTO-NUM", 50),
    ),
    *_done(
        "daniel.evans@exemple.demo",
        TECHNOCITE,
        ("UX-101", 170),
        ("GAME-PITCH", 90),
        ("GAME-DES", 35),
    ),
    *_done(
        "rayan.el-amrani@exemple.demo",
        TECHNOCITE,
        ("SYS-101", 110),
        ("NET-CCNA", 20),
    ),
    # Province de Liège staff.
    *_done("pierre.gilson@exemple.demo", PROVINCE, ("PDL-PLANNING", 300), ("PDL-SECURITE", 85)),
    *_done("isabelle.henrard@exemple.demo", PROVINCE, ("PDL-PLANNING", 290), ("PDL-COLLAB", 60)),
    *_done("gaelle.freres@exemple.demo", PROVINCE, ("TS-KIT", 140), ("PDL-SECURITE", 15)),
)

# --- Rooms, parkings, equipment and mobile units (scheduling) ------------------------------------

GOSSELIES = "eduLAB Gosselies"
CHARLEROI = "Centre de formation Charleroi"
LIEGE = "Espace partenaire Liège"
TOURNAI = "Antenne Tournai"
CINEY = "Antenne Ciney"
MARIEMBOURG = "Antenne Mariembourg"
HORNU = "Technocité Hornu — TIC"
MONS = "Technocité Mons — ICC"
SERAING = "Maison provinciale de la Formation"
AMAY = "Site de formation d'Amay"
BAVIERE = "B3 — site de Bavière"
PROVINCE_SCHOOLS = "Dispositifs mobiles — Enseignement provincial"

ROOM = "room"
PARKING = "parking"
EQUIPMENT = "equipment"
MOBILE_UNIT = "mobile_unit"

# (slug, French label, English label)
FEATURES: tuple[tuple[str, str, str], ...] = (
    ("projector", "Projecteur", "Projector"),
    ("pcs", "PC pour chaque participant", "PCs for every participant"),
    ("interactive-screen", "Écran interactif", "Interactive screen"),
)


@dataclass(frozen=True)
class ResourceSpec:
    org: str
    site: str
    code: str
    name: str
    kind: str = ROOM
    capacity: int | None = None
    features: tuple[str, ...] = ()
    description: str = ""
    requires_approval: bool = False
    inventory_number: str = ""


RESOURCES: tuple[ResourceSpec, ...] = (
    # Technofutur TIC — eduLAB Gosselies
    ResourceSpec(
        TECHNOFUTUR,
        GOSSELIES,
        "GOS-LAB",
        "eduLAB",
        ROOM,
        20,
        ("projector", "pcs", "interactive-screen"),
        "Le laboratoire pédagogique : îlots modulables, robots, imprimante 3D.",
    ),
    ResourceSpec(TECHNOFUTUR, GOSSELIES, "GOS-A", "Salle Aéropole", ROOM, 16, ("projector", "pcs")),
    ResourceSpec(TECHNOFUTUR, GOSSELIES, "GOS-B", "Salle Piccard", ROOM, 12, ("projector",)),
    ResourceSpec(
        TECHNOFUTUR, GOSSELIES, "GOS-REU", "Salle de réunion", ROOM, 8, ("interactive-screen",)
    ),
    ResourceSpec(TECHNOFUTUR, GOSSELIES, "GOS-P1", "Parking visiteurs", PARKING),
    # Technocité — Hornu and Mons
    ResourceSpec(
        TECHNOCITE,
        HORNU,
        "HOR-RUCHE",
        "La RUCHE",
        ROOM,
        24,
        ("projector", "pcs", "interactive-screen"),
        "Le coding lab, au 2e étage du château.",
    ),
    ResourceSpec(
        TECHNOCITE, HORNU, "HOR-101", "Salle informatique 101", ROOM, 16, ("pcs", "projector")
    ),
    ResourceSpec(TECHNOCITE, HORNU, "HOR-102", "Salle informatique 102", ROOM, 12, ("pcs",)),
    ResourceSpec(TECHNOCITE, HORNU, "HOR-P", "Parking de la cour", PARKING),
    ResourceSpec(
        TECHNOCITE,
        MONS,
        "MON-NID",
        "Le NID",
        ROOM,
        20,
        ("projector", "interactive-screen"),
        "Espace de création des industries culturelles et créatives.",
    ),
    ResourceSpec(TECHNOCITE, MONS, "MON-3D", "Studio 3D", ROOM, 12, ("pcs", "projector")),
    ResourceSpec(TECHNOCITE, MONS, "MON-ESC", "Salle d'escape game", ROOM, 8),
    # Province de Liège — Seraing training house, loanable equipment, mobile units
    ResourceSpec(
        PROVINCE,
        SERAING,
        "SER-CONSEIL",
        "Salle du conseil",
        ROOM,
        30,
        ("projector", "interactive-screen"),
        requires_approval=True,
    ),
    ResourceSpec(PROVINCE, SERAING, "SER-1", "Salle Cockerill", ROOM, 18, ("projector", "pcs")),
    ResourceSpec(PROVINCE, SERAING, "SER-2", "Salle Meuse", ROOM, 14, ("projector",)),
    ResourceSpec(
        PROVINCE,
        SERAING,
        "SER-INFO",
        "Salle informatique",
        ROOM,
        16,
        ("pcs", "interactive-screen"),
        requires_approval=True,
    ),
    ResourceSpec(PROVINCE, SERAING, "SER-P1", "Parking réservé A", PARKING, requires_approval=True),
    ResourceSpec(PROVINCE, SERAING, "SER-P2", "Parking réservé B", PARKING, requires_approval=True),
    ResourceSpec(
        PROVINCE,
        SERAING,
        "PC-01",
        "Valise de 10 PC portables",
        EQUIPMENT,
        description="Dix portables Windows avec souris, chargeurs et borne Wi-Fi.",
        inventory_number="PDL-INV-2024-0101",
    ),
    ResourceSpec(
        PROVINCE,
        SERAING,
        "PC-02",
        "Valise de 10 PC portables (2)",
        EQUIPMENT,
        inventory_number="PDL-INV-2024-0102",
    ),
    ResourceSpec(
        PROVINCE,
        SERAING,
        "MICROBIT-01",
        "Malle de 15 kits micro:bit",
        EQUIPMENT,
        description="Cartes micro:bit v2, câbles, piles et capteurs ; fiches d'activités.",
        inventory_number="PDL-INV-2023-0450",
    ),
    # Amay: classrooms and a training space; B3: rooms and parking.
    ResourceSpec(PROVINCE, AMAY, "AMA-1", "Salle de cours 1", ROOM, 20, ("projector",)),
    ResourceSpec(PROVINCE, AMAY, "AMA-2", "Salle de cours 2", ROOM, 14, ("projector", "pcs")),
    ResourceSpec(
        PROVINCE,
        AMAY,
        "AMA-ENT",
        "Espace d'entraînement",
        ROOM,
        24,
        description="Grand espace modulable pour les exercices pratiques.",
        requires_approval=True,
    ),
    ResourceSpec(PROVINCE, BAVIERE, "B3-201", "Salle 201", ROOM, 24, ("projector",)),
    ResourceSpec(PROVINCE, BAVIERE, "B3-202", "Salle 202", ROOM, 12, ("interactive-screen",)),
    ResourceSpec(PROVINCE, BAVIERE, "B3-P", "Parking du B3", PARKING, requires_approval=True),
    # The Education department's mobile units (seed 000): one truck, two domes.
    ResourceSpec(
        PROVINCE,
        PROVINCE_SCHOOLS,
        "TECHNI-TRUCK",
        "Techni Truck",
        MOBILE_UNIT,
        description=(
            "Semi-remorque aménagé en atelier : il va d'école en école faire découvrir les "
            "filières et métiers techniques aux élèves de 5e et 6e primaire et du premier degré "
            "du secondaire."
        ),
    ),
    ResourceSpec(
        PROVINCE,
        PROVINCE_SCHOOLS,
        "TECHNOSPHERE-1",
        "Technosphère — dôme 1",
        MOBILE_UNIT,
        description=(
            "Dôme immersif (réalité virtuelle et augmentée) monté dans les locaux de l'école, "
            "gratuitement, pour les élèves du 3e degré du secondaire."
        ),
    ),
    ResourceSpec(
        PROVINCE,
        PROVINCE_SCHOOLS,
        "TECHNOSPHERE-2",
        "Technosphère — dôme 2",
        MOBILE_UNIT,
        description=(
            "Second dôme immersif, pour accueillir une autre classe ou une autre école en même "
            "temps."
        ),
    ),
)

# (unit code, slug, French title, English title, description, pupils a day)
OUTREACH: tuple[tuple[str, str, str, str, str, int], ...] = (
    # The truck's five activities (seed 000): each one a hands-on part, then a talk about the
    # trades and the school paths that lead to them.
    (
        "TECHNI-TRUCK",
        "construction",
        "Implanter une maison au laser",
        "Laying out a house with a laser",
        "Avec des chaises d'implantation et un niveau laser, les élèves tracent au sol le plan "
        "d'une maison, comme sur un vrai chantier.",
        48,
    ),
    (
        "TECHNI-TRUCK",
        "electronique",
        "Un brassard de sécurité à LED",
        "An LED safety armband",
        "Chaque élève assemble un brassard lumineux à LED et découvre les métiers de "
        "l'électronique.",
        48,
    ),
    (
        "TECHNI-TRUCK",
        "robotique",
        "Missions robotiques sur sol lunaire",
        "Robot missions on a lunar floor",
        "Par équipes, les élèves pilotent des robots pour accomplir des missions sur un sol "
        "lunaire.",
        48,
    ),
    (
        "TECHNI-TRUCK",
        "electricite",
        "Câbler une maison",
        "Wiring a house",
        "Le montage électrique d'une maison en modèle réduit : l'animation que les écoles "
        "demandent le plus.",
        48,
    ),
    (
        "TECHNI-TRUCK",
        "codage",
        "Coder une serre avec micro:bit",
        "Coding a greenhouse with micro:bit",
        "Pour aider Kocode le koala à replanter sa forêt d'eucalyptus, les élèves programment "
        "l'arrosage et l'éclairage d'une serre avec des cartes micro:bit.",
        48,
    ),
    # The two Technosphère activities (seed 000), offered in either dome.
    (
        "TECHNOSPHERE-1",
        "eolien",
        "Un parc éolien pour alimenter une ville",
        "A wind farm to power a city",
        "Énergies renouvelables : les élèves conçoivent un parc éolien qui fournit l'électricité "
        "d'une ville, et rencontrent les métiers de la filière.",
        120,
    ),
    (
        "TECHNOSPHERE-1",
        "epuration",
        "Construire une station d'épuration",
        "Building a water treatment plant",
        "Technosphère 2.0, gestion durable de l'eau : la construction d'une station d'épuration "
        "et la chaîne des métiers qui la font tourner.",
        120,
    ),
    (
        "TECHNOSPHERE-2",
        "eolien",
        "Un parc éolien pour alimenter une ville",
        "A wind farm to power a city",
        "Énergies renouvelables : les élèves conçoivent un parc éolien qui fournit l'électricité "
        "d'une ville, et rencontrent les métiers de la filière.",
        120,
    ),
    (
        "TECHNOSPHERE-2",
        "epuration",
        "Construire une station d'épuration",
        "Building a water treatment plant",
        "Technosphère 2.0, gestion durable de l'eau : la construction d'une station d'épuration "
        "et la chaîne des métiers qui la font tourner.",
        120,
    ),
)

# Lobby screens at the MPF and at Amay show room occupancy and the public Wi-Fi (seed 004):
# (site, network, password, welcome text).
LOBBIES: tuple[tuple[str, str, str, str], ...] = (
    (
        SERAING,
        "PDL-Formation-Invites",
        "Seraing-2025",
        "Bienvenue à la Maison provinciale de la Formation !",
    ),
    (AMAY, "PDL-Public", "Amay-2025", "Bienvenue au site de formation d'Amay !"),
)

CATERING_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("cafe", "Café et thé", "Coffee and tea"),
    ("sandwiches", "Plateau de sandwiches", "Sandwich platter"),
    ("eau", "Eau plate et pétillante", "Still and sparkling water"),
)

# --- Sessions and enrolments (enrolment) -------------------------------------------------------


@dataclass(frozen=True)
class SessionSpec:
    org: str
    module: str
    code: str
    site: str
    week: int  # the session's two days start on the first weekday 7 * week days from today
    capacity: int = 16
    room: str = ""  # resource code
    learners: tuple[str, ...] = ()  # in enrolment order: beyond the capacity, waitlisted
    absent: tuple[str, ...] = ()  # past sessions: absent from every slot


_TF_LEARNERS = tuple(p.email for p in LEARNERS if p.org == TECHNOFUTUR)
_OTHER_LEARNERS = tuple(p.email for p in LEARNERS if p.org != TECHNOFUTUR)
FULL_SESSION = "REF-IA-M1A-GOS"
PAST_SESSION = "REF-IA-LUDO-CHA"

SESSIONS: tuple[SessionSpec, ...] = (
    # Two weeks ago, attendance recorded: Camille and Nathalie complete it, Marc was absent.
    SessionSpec(
        TECHNOFUTUR,
        "IA-LUDO",
        PAST_SESSION,
        CHARLEROI,
        -2,
        14,
        learners=(CAMILLE, NATHALIE, MARC),
        absent=(MARC,),
    ),
    SessionSpec(
        TECHNOFUTUR, "M1B", "REF-IA-M1B-GOS", GOSSELIES, 1, 12, "GOS-B", learners=(OLIVER,)
    ),
    SessionSpec(
        TECHNOFUTUR, "IA-ETHIQUE", "REF-IA-ETH-LIE", LIEGE, 1, 16, learners=(JULIEN, SARAH)
    ),
    # Full: 12 seats taken, two on the waitlist.
    SessionSpec(
        TECHNOFUTUR,
        "M1A",
        FULL_SESSION,
        GOSSELIES,
        2,
        12,
        "GOS-LAB",
        learners=(*_TF_LEARNERS, *_OTHER_LEARNERS[:4]),
    ),
    SessionSpec(
        TECHNOFUTUR, "IA-CLOTURE", "REF-IA-CLO-TOU", TOURNAI, 3, 15, learners=(JULIEN, LUCAS)
    ),
    SessionSpec(TECHNOFUTUR, "IA-EVAL", "REF-IA-EVAL-CIN", CINEY, 4, 14),
    SessionSpec(TECHNOFUTUR, "IA-RGPD", "REF-IA-RGPD-MAR", MARIEMBOURG, 4, 12),
    SessionSpec(TECHNOFUTUR, "IA-PERSO", "REF-IA-PERSO-GOS", GOSSELIES, 5, 20, "GOS-LAB"),
    SessionSpec(TECHNOFUTUR, "M1A", "REF-IA-M1A-CHA", CHARLEROI, 6, 18),
    # Technocité
    SessionSpec(
        TECHNOCITE,
        "CYB-101",
        "CYB-101-HOR",
        HORNU,
        1,
        16,
        "HOR-101",
        learners=("rayan.el-amrani@exemple.demo", "daniel.evans@exemple.demo"),
    ),
    SessionSpec(
        TECHNOCITE,
        "3D-BLENDER",
        "3D-BLENDER-MON",
        MONS,
        3,
        12,
        "MON-3D",
        learners=("manon.lefevre@exemple.demo",),
    ),
)

# --- Bookings (scheduling) ------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingSpec:
    booker: str  # e-mail
    resources: tuple[str, ...]  # codes, one organisation
    org: str
    days: int  # from today (moved to the next weekday unless 1 = tomorrow)
    start: str  # "HH:MM", Brussels
    end: str
    title: str
    participants: int | None = None
    catering: tuple[tuple[str, int, str], ...] = ()  # (item slug, count, "HH:MM")


BOOKINGS: tuple[BookingSpec, ...] = (
    BookingSpec(
        "logistique@provincedeliege.demo",
        ("SER-CONSEIL", "SER-P1"),
        PROVINCE,
        1,
        "10:00",
        "12:00",
        "Comité de pilotage Techni Truck",
        12,
        catering=(("cafe", 12, "09:45"), ("eau", 12, "09:45"), ("sandwiches", 12, "12:00")),
    ),
    BookingSpec(
        "logistique@technofutur.demo",
        ("GOS-REU",),
        TECHNOFUTUR,
        3,
        "14:00",
        "16:00",
        "Réunion d'équipe eduLAB",
        6,
    ),
    BookingSpec(
        "ecole@provincedeliege.demo",
        ("SER-INFO",),
        PROVINCE,
        9,
        "13:00",
        "16:00",
        "Atelier micro:bit pour une classe de 5e primaire",
        14,
    ),
)

# --- Open Badges (credentials) --------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeSpec:
    pathway: str  # pathway code
    name_fr: str
    name_en: str
    description_fr: str
    description_en: str
    criteria_fr: str
    criteria_en: str
    color: str = "#1d4f91"


BADGES: tuple[BadgeSpec, ...] = (
    BadgeSpec(
        AI_PATHWAY,
        "Référent IA pour l'école",
        "AI referent for schools",
        "Son ou sa titulaire sait intégrer l'IA générative dans sa pratique, en mesurer les "
        "limites éthiques et juridiques, et accompagner ses collègues dans leurs premiers usages.",
        "The holder can integrate generative AI into their practice, weigh its ethical and legal "
        "limits, and support colleagues in their first uses.",
        "Avoir suivi le module d'introduction (M1A ou M1B), deux modules d'option et la journée "
        "de clôture du parcours « Référent·e IA pour l'école » de Technofutur TIC.",
        "Complete the introduction (M1A or M1B), two optional modules and the closing day of the "
        "Technofutur TIC « AI referent for schools » pathway.",
    ),
    BadgeSpec(
        CERTIFICATE,
        "Certificat d'université en technopédagogie",
        "University certificate in educational technology",
        "Certificat délivré avec une université partenaire : conception de dispositifs "
        "pédagogiques numériques, projet professionnel individuel et portfolio.",
        "Certificate awarded with a partner university: designing digital learning, an "
        "individual professional project and a portfolio.",
        "Avoir réussi les cinq unités d'enseignement (UE1 à UE5) du certificat.",
        "Pass all five teaching units (UE1 to UE5) of the certificate.",
        color="#7a1f5c",
    ),
)

ORG_OF_SITE: dict[str, str] = {site.name: site.org for site in SITES}


# Equipment on loan: (item code, borrower e-mail, days since it left, days until due; negative =
# overdue), so the logistics officer finds one loan to remind and one running.
LOANS: tuple[tuple[str, str, int, int], ...] = (
    ("PC-01", "ecole@provincedeliege.demo", 12, -3),
    ("MICROBIT-01", "formateur@provincedeliege.demo", 2, 5),
)
