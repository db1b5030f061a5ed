"""Demo part: the Province de Liège's Technosphère 3.0 explorer (seeds 000 and 004).

Eight worlds and thirty-two experts, in the spirit of the Technosphère 3.0 app: its two themes
(renewable energy, sustainable water management) and its four worlds named in seed 000
(Atominatis: chemistry, the laboratory technician; Eletroworld: electricity, the electrician;
Mécanosphère: the electromechanical engineer; Géoterra: the geologist); the four other worlds
and every text are written here. Each expert is tied to a real ESCO v1.1.1 occupation (by
code), the worlds and experts to the Techni Truck's and the domes' activities, and some to the
province's pupil modules, two of which get an upcoming public session (a holiday workshop).

The whole ESCO fixture is loaded (one bulk import: about a second), not only the occupations
the demo needs, so the curators' occupation picker and the search work on the real data.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from parcours.accounts.models import Role
from parcours.demo import data
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import SessionStatus
from parcours.enrolment.slots import full_days
from parcours.orientation import actions
from parcours.orientation.models import Occupation, StudyRoute
from parcours.scheduling.models import OutreachActivity

HEPL = "https://www.hepl.be"
HELMO = "https://www.helmo.be"
ULIEGE = "https://www.uliege.be"
SECONDARY = StudyRoute.Kind.SECONDARY
HIGHER = StudyRoute.Kind.HIGHER

# (slug, name fr, name en, colour, tagline fr, tagline en, description fr, outreach activities
#  as "unit code/activity slug", routes: (kind, title fr, institution, url))
WORLDS: tuple[tuple[Any, ...], ...] = (
    ("atominatis", "Atominatis", "Atominatis", "#7b3fa0",
     "Le monde de la chimie", "The world of chemistry",
     "Mélanger, mesurer, analyser : ici, on découvre de quoi est faite la matière et comment "
     "on la transforme pour fabriquer des médicaments, des engrais ou une eau plus propre.",
     ("TECHNOSPHERE-1/epuration", "TECHNOSPHERE-2/epuration"),
     ((SECONDARY, "Technicien·ne en chimie (technique de qualification)", "", ""),
      (HIGHER, "Bachelier en chimie", "Haute École de la Province de Liège", HEPL))),
    ("eletroworld", "Eletroworld", "Eletroworld", "#e0a100",
     "Le monde de l'électricité", "The world of electricity",
     "Des câbles, des tableaux, des panneaux solaires : l'électricité voyage partout, et des "
     "pros veillent à ce qu'elle arrive en sécurité dans les maisons et les usines.",
     ("TECHNI-TRUCK/electricite", "TECHNI-TRUCK/electronique"),
     ((SECONDARY, "Électricien·ne installateur·rice (professionnel)", "", ""),
      (HIGHER, "Bachelier en électronique et électricité", "HELMo", HELMO))),
    ("mecanosphere", "Mécanosphère", "Mecanosphere", "#c0392b",
     "Le monde des machines", "The world of machines",
     "Engrenages, moteurs, robots d'usine : dans ce monde, on conçoit les machines, on les "
     "fabrique et on les répare quand elles tombent en panne.",
     ("TECHNI-TRUCK/robotique",),
     ((SECONDARY, "Technicien·ne en électromécanique (technique de qualification)", "", ""),
      (HIGHER, "Master ingénieur industriel en électromécanique", "HELMo", HELMO))),
    ("geoterra", "Géoterra", "Geoterra", "#8d6e3f",
     "Le monde de la Terre", "The world of the Earth",
     "Roches, sols, nappes d'eau cachées sous nos pieds : on y apprend à lire le sous-sol pour "
     "construire en sécurité et protéger l'eau que l'on boit.",
     ("TECHNI-TRUCK/construction",),
     ((SECONDARY, "Sciences générales ou sciences appliquées (transition)", "", ""),
      (HIGHER, "Master en sciences géologiques", "Université de Liège", ULIEGE))),
    ("aquapolis", "Aquapolis", "Aquapolis", "#1f78b4",
     "Le monde de l'eau", "The world of water",
     "De la rivière au robinet, puis du lavabo à la station d'épuration : des métiers pour que "
     "l'eau reste propre et ne se perde pas.",
     ("TECHNOSPHERE-1/epuration", "TECHNOSPHERE-2/epuration"),
     ((SECONDARY, "Technicien·ne en environnement (technique de qualification)", "", ""),
      (HIGHER, "Bachelier en techniques de l'environnement", "Haute École de la Province de "
       "Liège", HEPL))),
    ("eolia", "Éolia", "Eolia", "#2e9e6a",
     "Le monde des énergies renouvelables", "The world of renewable energy",
     "Le vent, le soleil, la chaleur du sol : des énergies qui ne s'épuisent pas, et des "
     "métiers pour les capter, les stocker et les distribuer.",
     ("TECHNOSPHERE-1/eolien", "TECHNOSPHERE-2/eolien"),
     ((SECONDARY, "Technicien·ne en électricité (technique de qualification)", "", ""),
      (HIGHER, "Bachelier en énergies renouvelables", "Haute École de la Province de Liège",
       HEPL))),
    ("biovita", "Biovita", "Biovita", "#6a8f1f",
     "Le monde du vivant", "The world of living things",
     "Bactéries, plantes, animaux : comprendre le vivant pour soigner la nature, nettoyer l'eau "
     "grâce aux micro-organismes ou inventer de nouveaux produits.",
     ("TECHNI-TRUCK/codage",),
     ((SECONDARY, "Technicien·ne en biotechnologie (technique de qualification)", "", ""),
      (HIGHER, "Bachelier en biotechnologie", "Haute École de la Province de Liège", HEPL))),
    ("numerix", "Numérix", "Numerix", "#34495e",
     "Le monde du code et des robots", "The world of code and robots",
     "Programmer une carte micro:bit, faire rouler un robot, lire des données : le numérique "
     "fait tourner les éoliennes comme les stations d'épuration.",
     ("TECHNI-TRUCK/codage", "TECHNI-TRUCK/robotique"),
     ((SECONDARY, "Technicien·ne en informatique (technique de qualification)", "", ""),
      (HIGHER, "Bachelier en informatique et systèmes", "HELMo", HELMO))),
)  # fmt: skip

# (world slug, slug, title fr, title en, ESCO code, one-line summary fr, the work fr,
#  qualities fr, where fr, modules, outreach activities)
EXPERTS: tuple[tuple[Any, ...], ...] = (
    ("atominatis", "technicienne-laboratoire-chimie", "Technicienne de laboratoire en chimie",
     "Chemistry laboratory technician", "3111.1",
     "Elle prépare et analyse des échantillons pour savoir ce qu'ils contiennent.",
     "Elle prélève de l'eau, des sols ou des produits, les prépare et les passe dans des "
     "appareils de mesure. Ses résultats disent si une eau est potable ou si un produit est "
     "conforme.", "Précision, patience, sens de la sécurité.",
     "Laboratoires d'analyse, stations d'épuration, entreprises chimiques.", ("TS-EAU",), ()),
    ("atominatis", "chimiste", "Chimiste", "Chemist", "2113.1",
     "Il invente et améliore des substances utiles au quotidien.",
     "Il étudie les réactions chimiques pour créer de nouveaux matériaux, des peintures moins "
     "polluantes ou des batteries plus durables.", "Curiosité, rigueur, goût des sciences.",
     "Centres de recherche, industrie, universités.", (), ()),
    ("atominatis", "ingenieure-chimiste", "Ingénieure chimiste", "Chemical engineer", "2145.1",
     "Elle transforme une recette de laboratoire en production à grande échelle.",
     "Elle conçoit les installations d'une usine chimique et veille à ce qu'elles produisent "
     "sans danger et en gaspillant le moins possible d'énergie.",
     "Esprit d'équipe, logique, sens des responsabilités.",
     "Usines, bureaux d'études, entreprises pharmaceutiques.", (), ()),
    ("atominatis", "technicien-laboratoire-scientifique", "Technicien de laboratoire",
     "Laboratory technician", "3141.2",
     "Il fait tourner le laboratoire et réalise les expériences.",
     "Il prépare le matériel, réalise des tests selon un protocole et note soigneusement "
     "chaque résultat pour les chercheurs.", "Organisation, minutie, calme.",
     "Laboratoires d'hôpitaux, d'universités ou d'entreprises.", (), ()),
    ("eletroworld", "electricien", "Électricien", "Electrician", "7411.1",
     "Il amène le courant partout, en toute sécurité.",
     "Il lit un plan, tire des câbles, installe prises, interrupteurs et tableaux, puis "
     "contrôle que tout fonctionne sans risque.", "Habileté, prudence, sens du concret.",
     "Chantiers de maisons et d'immeubles, entreprises, services techniques.",
     ("TT-ELEC",), ("TECHNI-TRUCK/electricite",)),
    ("eletroworld", "electricienne-photovoltaique", "Électricienne photovoltaïque",
     "Solar PV electrician", "7411.1.4",
     "Elle pose des panneaux solaires et les raccorde au réseau.",
     "Sur les toits ou dans les champs, elle installe les panneaux, les onduleurs et les "
     "câbles qui transforment le soleil en électricité.",
     "Pas le vertige, soin, travail en équipe.", "Toits, parcs solaires, entreprises "
     "d'installation.", ("TT-ELEC",), ()),
    ("eletroworld", "ingenieur-electricien", "Ingénieur électricien", "Electrical engineer",
     "2151.1", "Il conçoit les réseaux qui transportent l'électricité.",
     "Il calcule et dessine les installations électriques d'un bâtiment, d'une usine ou d'un "
     "parc éolien, et suit leur construction.", "Logique, goût des maths, sens de l'organisation.",
     "Bureaux d'études, gestionnaires de réseau, industrie.", (), ()),
    ("eletroworld", "technicienne-electronicienne", "Technicienne en électronique",
     "Electronics technician", "3114.1",
     "Elle assemble et répare les circuits qui rendent les objets intelligents.",
     "Elle soude des composants, teste des cartes électroniques et trouve la panne quand un "
     "appareil ne s'allume plus.", "Minutie, patience, esprit de recherche.",
     "Ateliers, entreprises d'électronique, services de maintenance.", ("TT-LED",),
     ("TECHNI-TRUCK/electronique",)),
    ("mecanosphere", "ingenieur-electromecanicien", "Ingénieur en électromécanique",
     "Electromechanical engineer", "2151.1.3",
     "Il marie mécanique et électricité pour faire tourner les machines.",
     "Il conçoit des machines qui bougent grâce à des moteurs électriques : ascenseurs, "
     "éoliennes, lignes de production.", "Créativité, rigueur, goût du travail en équipe.",
     "Industrie, bureaux d'études, énergie.", ("TS-EOLIEN",), ("TECHNOSPHERE-1/eolien",)),
    ("mecanosphere", "technicienne-electromecanicienne", "Technicienne électromécanicienne",
     "Electromechanical technician", "3113.1.2",
     "Elle entretient et répare les machines d'une usine.",
     "Elle démonte, règle et remonte moteurs, pompes et capteurs pour que la production ne "
     "s'arrête pas.", "Débrouillardise, sens de l'observation, réactivité.",
     "Usines, stations d'épuration, parcs éoliens.", (), ()),
    ("mecanosphere", "ingenieure-mecanicienne", "Ingénieure mécanicienne", "Mechanical engineer",
     "2144.1", "Elle dessine les pièces et les machines de demain.",
     "Sur ordinateur, elle modélise en 3D des pièces, calcule leur résistance et fait "
     "fabriquer des prototypes.", "Imagination, précision, persévérance.",
     "Bureaux d'études, industrie automobile et aéronautique.", (), ()),
    ("mecanosphere", "soudeur", "Soudeur", "Welder", "7212.3",
     "Il assemble le métal pour construire des structures solides.",
     "Avec son poste à souder, il unit des pièces de métal pour fabriquer des mâts "
     "d'éoliennes, des cuves ou des charpentes.", "Adresse, concentration, endurance.",
     "Ateliers, chantiers, chantiers navals.", (), ()),
    ("geoterra", "geologue", "Géologue", "Geologist", "2114.1",
     "Elle lit l'histoire de la Terre dans les roches.",
     "Sur le terrain puis au laboratoire, elle étudie les roches et les sols pour trouver de "
     "l'eau, des matériaux ou vérifier qu'un terrain est sûr.", "Curiosité, goût du plein air, "
     "sens de l'observation.", "Bureaux d'études, carrières, administrations, universités.",
     (), ()),
    ("geoterra", "hydrogeologue", "Hydrogéologue", "Hydrogeologist", "2114.1.4",
     "Il cherche et protège l'eau cachée sous nos pieds.",
     "Il suit les nappes d'eau souterraines, mesure leur niveau et leur qualité et conseille "
     "les communes pour les protéger.", "Rigueur, patience, intérêt pour l'environnement.",
     "Sociétés de distribution d'eau, bureaux d'études, administrations.", ("TS-EAU",), ()),
    ("geoterra", "geotechnicienne", "Géotechnicienne", "Geotechnician", "3117.2",
     "Elle teste le sol avant que l'on construise dessus.",
     "Elle réalise des forages et des essais pour savoir si un terrain peut porter une maison, "
     "un pont ou une éolienne.", "Sens pratique, précision, esprit d'équipe.",
     "Chantiers, laboratoires de géotechnique.", (), ()),
    ("geoterra", "geometre-topographe", "Géomètre-topographe", "Land surveyor", "2165.4",
     "Il mesure le terrain au centimètre près.",
     "Avec un niveau laser et un GPS, il relève les dimensions d'un terrain et implante au sol "
     "les plans d'un futur bâtiment.", "Précision, goût des mathématiques, autonomie.",
     "Bureaux de géomètres, chantiers, communes.", ("TT-CONSTRUCTION",),
     ("TECHNI-TRUCK/construction",)),
    ("aquapolis", "technicien-station-epuration", "Technicien de station d'épuration",
     "Wastewater treatment technician", "3132.5",
     "Il rend l'eau sale assez propre pour retourner à la rivière.",
     "Il surveille les bassins, les pompes et les bactéries qui nettoient l'eau, fait des "
     "prélèvements et règle les installations.", "Sens des responsabilités, calme, curiosité.",
     "Stations d'épuration, intercommunales de l'eau.", ("TS-EAU",),
     ("TECHNOSPHERE-1/epuration", "TECHNOSPHERE-2/epuration")),
    ("aquapolis", "technicienne-genie-eaux", "Technicienne en génie des eaux",
     "Water engineering technician", "3112.1.13",
     "Elle conçoit les réseaux qui transportent l'eau.",
     "Elle dessine des canalisations, des bassins d'orage et des réseaux d'égouts, puis suit "
     "les travaux sur le chantier.", "Organisation, sens du concret, esprit d'équipe.",
     "Bureaux d'études, intercommunales, communes.", (), ()),
    ("aquapolis", "hydrologue", "Hydrologue", "Hydrologist", "2114.1.5",
     "Elle étudie le chemin de l'eau, de la pluie à la mer.",
     "Elle mesure les rivières et les pluies pour prévoir les crues et les sécheresses et "
     "aider à mieux partager l'eau.", "Goût des chiffres, curiosité, intérêt pour le climat.",
     "Administrations, centres de recherche, bureaux d'études.", (), ()),
    ("aquapolis", "agent-reseau-eau", "Agent de réseau d'eau", "Water network operative",
     "7126.14", "Il veille à ce que l'eau arrive au robinet.",
     "Il répare les fuites, pose des conduites et contrôle les compteurs, de jour comme en "
     "urgence.", "Endurance, débrouillardise, sens du service.",
     "Sociétés de distribution d'eau, communes.", (), ()),
    ("eolia", "technicienne-maintenance-eolienne", "Technicienne de maintenance éolienne",
     "Wind turbine technician", "3131.2",
     "Elle grimpe dans les éoliennes pour les garder en forme.",
     "Harnachée, elle monte jusqu'à la nacelle, contrôle les pièces, change ce qui est usé et "
     "redémarre l'éolienne.", "Pas le vertige, bonne condition physique, sens de la sécurité.",
     "Parcs éoliens, entreprises de maintenance.", ("TS-EOLIEN",),
     ("TECHNOSPHERE-1/eolien", "TECHNOSPHERE-2/eolien")),
    ("eolia", "ingenieur-energie-eolienne", "Ingénieur en énergie éolienne",
     "Wind energy engineer", "2149.9.6",
     "Il choisit où et comment installer un parc éolien.",
     "Il étudie le vent, le terrain et les voisins pour placer les éoliennes au meilleur "
     "endroit et suit le projet jusqu'à la mise en service.",
     "Esprit d'analyse, écoute, goût des projets.", "Développeurs éoliens, bureaux d'études.",
     ("TS-EOLIEN",), ("TECHNOSPHERE-1/eolien", "TECHNOSPHERE-2/eolien")),
    ("eolia", "ingenieure-rd-renouvelables", "Ingénieure en recherche sur les énergies "
     "renouvelables", "Renewable energy R&D engineer", "2149.9.7",
     "Elle invente les énergies propres de demain.",
     "Elle teste de nouveaux panneaux, batteries ou turbines pour produire plus d'énergie avec "
     "moins de ressources.", "Créativité, ténacité, goût des sciences.",
     "Universités, centres de recherche, entreprises de l'énergie.", (), ()),
    ("eolia", "conseiller-energies-renouvelables", "Conseiller en énergies renouvelables",
     "Renewable energy consultant", "2433.3",
     "Il aide les familles et les entreprises à passer aux énergies vertes.",
     "Il visite les bâtiments, calcule les économies possibles et propose panneaux solaires, "
     "pompe à chaleur ou isolation.", "Aisance à l'oral, sens du contact, pédagogie.",
     "Guichets de l'énergie, entreprises, communes.", (), ()),
    ("biovita", "biologiste", "Biologiste", "Biologist", "2131.4",
     "Elle étudie les êtres vivants pour mieux les protéger.",
     "Elle observe, compte et analyse plantes et animaux, en forêt comme au microscope.",
     "Patience, curiosité, sens de l'observation.",
     "Universités, parcs naturels, laboratoires.", (), ()),
    ("biovita", "microbiologiste", "Microbiologiste", "Microbiologist", "2131.4.10",
     "Il travaille avec des êtres trop petits pour être vus à l'œil nu.",
     "Il cultive et observe bactéries et levures, par exemple celles qui nettoient l'eau des "
     "stations d'épuration.", "Rigueur, minutie, goût du laboratoire.",
     "Laboratoires, industrie alimentaire, stations d'épuration.", ("TS-EAU",), ()),
    ("biovita", "ecologue", "Écologue", "Ecologist", "2133.5",
     "Elle veille à ce que les projets respectent la nature.",
     "Avant de construire une route ou un parc éolien, elle recense les espèces présentes et "
     "propose comment les protéger.", "Amour de la nature, rigueur, diplomatie.",
     "Bureaux d'études, associations, administrations.", (), ()),
    ("biovita", "technicien-biotechnologie", "Technicien en biotechnologie",
     "Biotechnology technician", "3141.1",
     "Il utilise le vivant pour fabriquer des produits utiles.",
     "Il fait pousser des cellules ou des micro-organismes qui produisent des médicaments, des "
     "enzymes ou du biogaz.", "Précision, respect des protocoles, esprit d'équipe.",
     "Entreprises de biotechnologie, laboratoires.", (), ()),
    ("numerix", "technicienne-robotique", "Technicienne en robotique", "Robotics technician",
     "3119.2.1", "Elle installe, programme et répare des robots.",
     "Elle règle les bras robotisés d'une usine, écrit leurs mouvements et intervient quand "
     "ils s'arrêtent.", "Logique, habileté, calme face à la panne.",
     "Usines, entreprises d'automatisation.", ("TT-ROBOT",), ("TECHNI-TRUCK/robotique",)),
    ("numerix", "ingenieur-automatismes", "Ingénieur en automatismes", "Automation engineer",
     "2141.4.2.1", "Il rend les installations capables de fonctionner seules.",
     "Il conçoit les programmes et les capteurs qui pilotent une station d'épuration ou une "
     "ligne de production.", "Logique, goût de l'informatique, sens de l'organisation.",
     "Industrie, bureaux d'études, énergie.", (), ()),
    ("numerix", "programmeuse-informatique-industrielle", "Programmeuse en informatique "
     "industrielle", "Industrial software programmer", "2514.4",
     "Elle écrit le code qui fait travailler les machines.",
     "Elle programme des automates et des cartes comme la micro:bit pour commander moteurs, "
     "pompes et lumières.", "Logique, persévérance, créativité.",
     "Industrie, entreprises de services numériques.", ("TT-MICROBIT",),
     ("TECHNI-TRUCK/codage",)),
    ("numerix", "analyste-donnees", "Analyste de données", "Data analyst", "2511.3",
     "Il fait parler les chiffres.",
     "Il rassemble les mesures envoyées par les capteurs d'éoliennes ou de réseaux d'eau et "
     "en tire des graphiques pour décider plus vite.", "Goût des chiffres, rigueur, curiosité.",
     "Entreprises, administrations, énergie.", (), ()),
)  # fmt: skip

# The featured experts of seed 000: a day in the job and a testimony (texts of the demo).
FEATURED: dict[str, tuple[str, str, str]] = {
    "technicienne-laboratoire-chimie": (
        "7 h 30 : prélèvements à la sortie de la station. 10 h : analyses au laboratoire. "
        "14 h : encodage des résultats et réunion avec l'équipe d'exploitation.",
        "Julie, technicienne de laboratoire",
        "J'aimais les expériences en classe. Aujourd'hui, je vérifie que l'eau rendue à la "
        "Meuse est propre : c'est concret et utile.",
    ),
    "electricien": (
        "8 h : arrivée sur le chantier et lecture des plans. Matinée : passage des gaines. "
        "Après-midi : raccordement du tableau et tests de sécurité.",
        "Mehdi, électricien",
        "Le moment que je préfère, c'est quand on allume tout pour la première fois et que "
        "la maison prend vie.",
    ),
    "ingenieur-electromecanicien": (
        "9 h : réunion de projet. 11 h : calculs sur ordinateur. 15 h : visite d'un parc "
        "éolien pour suivre le montage d'une nacelle.",
        "Thomas, ingénieur en électromécanique",
        "Je passe des plans à la réalité : une machine que j'ai dessinée tourne aujourd'hui "
        "dans un parc éolien près de chez moi.",
    ),
    "geologue": (
        "Matin : sur le terrain, marteau et carnet en main. Après-midi : analyse des "
        "échantillons et rédaction d'un rapport pour la commune.",
        "Sarah, géologue",
        "Chaque caillou raconte une histoire de millions d'années. Mon métier, c'est de la lire "
        "pour aider à construire et à protéger l'eau.",
    ),
}

# Two holiday workshops of the province's pupil modules, so that job sheets show upcoming
# sessions: (module code, code, weeks from now, capacity).
WORKSHOPS: tuple[tuple[str, str, int, int], ...] = (
    ("TT-ELEC", "TT-ELEC-STAGE", 3, 14),
    ("TS-EOLIEN", "TS-EOLIEN-STAGE", 5, 20),
)


def load(loader: Any) -> list[str]:
    org_slug = data.PROVINCE
    organisation = loader.orgs[org_slug]
    actor = loader.actors[org_slug]
    actions.import_esco()
    occupations = {
        o.code: o.pk
        for o in Occupation.objects.filter(code__in=[e[4] for e in EXPERTS]).only("pk", "code")
    }
    missing = sorted({e[4] for e in EXPERTS} - set(occupations))
    if missing:
        raise ValueError(f"ESCO codes missing from the fixture: {missing}")
    activities = {
        f"{a.unit.code}/{a.slug}": a.pk
        for a in OutreachActivity.objects.filter(organisation=organisation).select_related("unit")
    }
    modules = {code: module.pk for (org, code), module in loader.modules.items() if org == org_slug}

    worlds = {}
    for order, (slug, name_fr, name_en, colour, tag_fr, tag_en, text, linked, _r) in enumerate(
        WORLDS, start=1
    ):
        worlds[slug] = actions.save_world(
            actor=actor,
            organisation=organisation,
            data={
                "slug": slug,
                "name_fr": name_fr,
                "name_en": name_en,
                "colour": colour,
                "tagline_fr": tag_fr,
                "tagline_en": tag_en,
                "description_fr": text,
                "resources_fr": "Dossier pédagogique Technosphère du monde, en lien avec les "
                "référentiels de cours (plateforme Moodle-Technosphère).",
                "order": order,
                "is_published": True,
            },
            activity_ids=[activities[key] for key in linked],
        )
    routes_of = {world[0]: world[8] for world in WORLDS}
    for order, expert in enumerate(EXPERTS, start=1):
        world, slug, title_fr, title_en, code, summary, work, qualities, where, mods, linked = (
            expert
        )
        day, witness, transcript = FEATURED.get(slug, ("", "", ""))
        sheet = actions.save_job_sheet(
            actor=actor,
            organisation=organisation,
            data={
                "world": worlds[world].pk,
                "slug": slug,
                "title_fr": title_fr,
                "title_en": title_en,
                "summary_fr": summary,
                "work_fr": work,
                "qualities_fr": qualities,
                "workplaces_fr": where,
                "day_fr": day,
                "testimony_name": witness,
                "testimony_transcript_fr": transcript,
                "occupation": occupations[code],
                "order": order,
                "is_published": True,
            },
            links=actions.SheetLinks(
                module_ids=[modules[m] for m in mods],
                activity_ids=[activities[key] for key in linked],
            ),
        )
        for kind, route_title, institution, url in routes_of[world]:
            actions.save_route(
                actor=actor,
                sheet=sheet,
                data={
                    "kind": kind,
                    "title_fr": route_title,
                    "institution": institution,
                    "url": url,
                },
            )
    trainer = loader.staff[(org_slug, Role.TRAINER)]
    for module_code, session_code, weeks, capacity in WORKSHOPS:
        first = loader._weekday(7 * weeks)
        session = enrolment_actions.create_session(
            actor=actor,
            organisation=organisation,
            data=enrolment_actions.SessionData(
                module_id=modules[module_code],
                code=session_code,
                capacity=capacity,
                slots=full_days(first),
                site_id=loader.sites[data.SERAING].pk,
                trainer_ids=[trainer.pk],
            ),
        )
        enrolment_actions.set_session_status(
            actor=actor, session=session, status=SessionStatus.PUBLISHED
        )
    return [
        _(
            "Orientation : %(worlds)d mondes et %(sheets)d fiches métier (Technosphère 3.0), "
            "%(occupations)d métiers ESCO, %(sessions)d stages à venir."
        )
        % {
            "worlds": len(worlds),
            "sheets": len(EXPERTS),
            "occupations": Occupation.objects.count(),
            "sessions": len(WORKSHOPS),
        }
    ]
