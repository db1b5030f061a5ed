"""Word lists for French-looking (accented) module titles, summaries and people's names."""

from __future__ import annotations

# (French topic with its article, English topic). Accents on purpose: search folds them.
TOPICS: list[tuple[str, str]] = [
    ("l'évaluation numérique", "digital assessment"),
    ("la sécurité informatique", "IT security"),
    ("la protection des données", "data protection"),
    ("les données personnelles", "personal data"),
    ("l'intelligence artificielle", "artificial intelligence"),
    ("la cybersécurité", "cybersecurity"),
    ("la programmation Python", "Python programming"),
    ("la bureautique", "office software"),
    ("le tableur", "spreadsheets"),
    ("le traitement de texte", "word processing"),
    ("les réseaux sociaux", "social media"),
    ("l'éducation aux médias", "media literacy"),
    ("la citoyenneté numérique", "digital citizenship"),
    ("la robotique éducative", "educational robotics"),
    ("la pensée informatique", "computational thinking"),
    ("la création de contenus numériques", "digital content creation"),
    ("la vidéo pédagogique", "educational video"),
    ("le podcast en classe", "podcasting in class"),
    ("la classe inversée", "the flipped classroom"),
    ("la pédagogie active", "active learning"),
    ("la gestion de projet", "project management"),
    ("la communication professionnelle", "professional communication"),
    ("l'accessibilité numérique", "digital accessibility"),
    ("l'identité numérique", "digital identity"),
    ("la messagerie électronique", "e-mail"),
    ("le stockage en ligne", "cloud storage"),
    ("les logiciels libres", "free software"),
    ("l'impression 3D", "3D printing"),
    ("l'électronique avec Arduino", "electronics with Arduino"),
    ("l'Internet des objets", "the Internet of Things"),
    ("les données ouvertes", "open data"),
    ("la visualisation de données", "data visualisation"),
    ("les statistiques", "statistics"),
    ("la recherche d'informations", "information search"),
    ("l'esprit critique", "critical thinking"),
    ("la désinformation", "disinformation"),
    ("le droit d'auteur", "copyright"),
    ("le RGPD", "the GDPR"),
    ("le télétravail", "remote work"),
    ("les outils collaboratifs", "collaboration tools"),
    ("l'évaluation formative", "formative assessment"),
    ("la différenciation pédagogique", "differentiated instruction"),
    ("l'inclusion numérique", "digital inclusion"),
    ("le bien-être numérique", "digital well-being"),
    ("la sobriété numérique", "digital sobriety"),
    ("les mots de passe", "passwords"),
    ("la sauvegarde des fichiers", "file back-ups"),
    ("l'entrepreneuriat", "entrepreneurship"),
    ("la créativité", "creativity"),
    ("le design thinking", "design thinking"),
    ("la communication non violente", "non-violent communication"),
    ("la prise de parole en public", "public speaking"),
    ("la gestion du stress", "stress management"),
    ("les mathématiques par le jeu", "maths through games"),
    ("les sciences expérimentales", "experimental science"),
    ("la géographie avec des cartes numériques", "geography with digital maps"),
    ("l'histoire locale", "local history"),
    ("la lecture numérique", "digital reading"),
    ("l'écriture collaborative", "collaborative writing"),
    ("la comptabilité", "accounting"),
    ("le marketing numérique", "digital marketing"),
    ("le commerce en ligne", "e-commerce"),
    ("la maintenance informatique", "computer maintenance"),
    ("les réseaux informatiques", "computer networks"),
    ("la modélisation 3D", "3D modelling"),
    ("le jeu vidéo éducatif", "educational video games"),
]

PREFIXES: list[tuple[str, str]] = [
    ("Initiation à", "Introduction to"),
    ("Découvrir", "Discovering"),
    ("Maîtriser", "Mastering"),
    ("Approfondir", "Going further with"),
    ("Atelier pratique :", "Hands-on workshop:"),
    ("Les bases de", "The basics of"),
    ("Perfectionnement :", "Advanced:"),
    ("Comprendre", "Understanding"),
    ("Enseigner", "Teaching"),
    ("Sensibilisation à", "Awareness of"),
    ("Se former à", "Training in"),
    ("Certificat :", "Certificate:"),
]

CONTEXTS: list[tuple[str, str]] = [
    ("", ""),
    ("", ""),
    ("pour les enseignants", "for teachers"),
    ("en classe", "in class"),
    ("au quotidien", "in everyday life"),
    ("pour les directions d'école", "for school heads"),
    ("dans l'entreprise", "at work"),
    ("pour débutants", "for beginners"),
    ("niveau avancé", "advanced level"),
    ("pour les demandeurs d'emploi", "for jobseekers"),
    ("à l'école primaire", "in primary school"),
    ("dans le secondaire", "in secondary school"),
    ("en équipe", "as a team"),
    ("à distance", "remotely"),
]

SUMMARY_OPENINGS = [
    "Ce module propose une découverte pratique de {topic} {context}.",
    "Une formation concrète pour aborder {topic} avec confiance.",
    "Les participants expérimentent {topic} à partir de situations réelles.",
    "Un parcours progressif autour de {topic}, de la théorie à la pratique.",
    "Des exercices guidés pour intégrer {topic} dans les activités quotidiennes.",
    "Un atelier participatif consacré à {topic} et à ses usages.",
]

SUMMARY_FOLLOW_UPS = [
    "Les enjeux de {topic} sont abordés à travers des études de cas.",
    "Chaque séance alterne apports théoriques, démonstrations et mises en situation.",
    "Une attention particulière est portée à la sécurité et au respect des données.",
    "Aucun prérequis technique n'est nécessaire : seule la curiosité compte.",
    "La formation s'appuie sur des outils libres et gratuits.",
    "Les participants repartent avec des ressources réutilisables.",
    "Le module se termine par une évaluation formative et un échange de pratiques.",
    "Il prépare au module de perfectionnement sur {topic}.",
]

DESCRIPTION_SENTENCES = [
    "Le formateur présente les notions essentielles et les illustre par des exemples.",
    "Les activités sont adaptées au niveau et aux besoins du groupe.",
    "Les participants construisent progressivement une production personnelle.",
    "Des temps d'échange permettent de partager les expériences de chacun.",
    "Le contenu respecte le cadre européen DigComp des compétences numériques.",
    "Une plateforme en ligne prolonge la formation entre les séances.",
    "Les supports sont accessibles et disponibles en format numérique.",
    "La dernière séance est consacrée à la mise en œuvre dans le contexte professionnel.",
    "Les bonnes pratiques de sécurité et de protection de la vie privée sont rappelées.",
    "Une attestation de participation est délivrée à la fin du module.",
]

OBJECTIVES = [
    "Identifier les principaux enjeux de {topic}",
    "Utiliser des outils adaptés à {topic}",
    "Évaluer la qualité d'une ressource numérique",
    "Concevoir une activité autour de {topic}",
    "Protéger ses données et celles des autres",
    "Expliquer {topic} à un public non spécialiste",
    "Collaborer efficacement avec des outils en ligne",
]

PREREQUISITES = [
    "",
    "",
    "Savoir utiliser un ordinateur et un navigateur web.",
    "Disposer d'une adresse e-mail.",
    "Avoir suivi le module d'initiation ou disposer d'une expérience équivalente.",
    "Apporter son ordinateur portable.",
]

PLACES = [
    "Namur", "Liège", "Charleroi", "Mons", "Tournai", "Arlon", "Wavre", "Bruxelles",
    "Verviers", "Huy", "Dinant", "Nivelles", "Bastogne", "Marche-en-Famenne", "Ath",
    "Mouscron", "La Louvière", "Seraing", "Ottignies", "Gembloux", "Spa", "Malmedy", "Eupen",
    "Virton", "Binche", "Soignies", "Waterloo", "Jodoigne", "Ciney", "Philippeville",
]  # fmt: skip

ORGANISATION_PATTERNS: list[tuple[str, str]] = [
    ("Centre de compétence numérique de {place}", "competence_centre"),
    ("Institut de formation continue de {place}", "training_institute"),
    ("École numérique de {place}", "school"),
    ("Service formation de la Ville de {place}", "public_body"),
    ("Espace public numérique de {place}", "other"),
]

FIRST_NAMES = [
    "Léa", "Emma", "Chloé", "Zoé", "Inès", "Manon", "Camille", "Élise", "Hélène", "Noémie",
    "Lucas", "Hugo", "Louis", "Théo", "Nathan", "Mathéo", "Noé", "Jérôme", "François", "Gaëtan",
    "Amélie", "Loïc", "Anaïs", "Cédric", "Aurélie", "Benoît", "Céline", "Régis", "Maëlle", "Aïcha",
]  # fmt: skip

LAST_NAMES = [
    "Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent", "Lefèvre", "Leroy", "Lemaire",
    "Renard", "Claes", "Peeters", "Janssens", "Mertens", "Willems", "Goossens", "Hermans",
    "Michaux", "Gérard", "Delvaux", "Collignon", "Hubert", "Fontaine", "Mathieu", "Noël",
    "Thiry", "Lejeune", "Dumont", "Lecomte", "Bodart",
]  # fmt: skip

# The AI-referent pathway: (code, French title). M1A | M1B, 2 of 8 options, closing module.
AI_MODULES: list[tuple[str, str]] = [
    ("M1A", "Découvrir l'intelligence artificielle (présentiel)"),
    ("M1B", "Découvrir l'intelligence artificielle (à distance)"),
    ("O1", "IA générative et création de contenus"),
    ("O2", "IA et protection des données personnelles"),
    ("O3", "IA en classe : scénarios pédagogiques"),
    ("O4", "Éthique et biais des algorithmes"),
    ("O5", "Automatiser la bureautique avec l'IA"),
    ("O6", "IA et évaluation des apprentissages"),
    ("O7", "Programmer un agent conversationnel"),
    ("O8", "IA, désinformation et esprit critique"),
    ("CLOSE", "Projet de clôture : référent·e IA"),
]
