"""The Coop's codes and labels (coop-activites.md §2) and its export's columns (§1b).

Labels are the Coop's own, in French, as its files hold them: they are data, not
interface strings, and are never translated."""

TYPE_ACTIVITE = {"Individuel": "Accompagnement individuel", "Collectif": "Atelier collectif"}

TYPE_LIEU = {
    "LieuActivite": "Lieu d’activité",
    "Autre": "Autre lieu",
    "Domicile": "À domicile",
    "ADistance": "À distance",
}

MATERIEL = {
    "Ordinateur": "Ordinateur",
    "Telephone": "Téléphone",
    "Tablette": "Tablette",
    "Autre": "Autre",
    "Aucun": "Pas de matériel",
}

THEMATIQUE = {
    "DiagnosticNumerique": "Diagnostic numérique",
    "PrendreEnMainDuMateriel": "Prendre en main du matériel",
    "MaintenanceDeMateriel": "Maintenance de matériel",
    "GereSesContenusNumeriques": "Gérer ses contenus numériques",
    "NavigationSurInternet": "Navigation sur internet",
    "Email": "E-mail",
    "Bureautique": "Bureautique",
    "ReseauxSociaux": "Réseaux sociaux communication",
    "Sante": "Santé",
    "BanqueEtAchatsEnLigne": "Banque et achats en ligne",
    "Entrepreneuriat": "Accompagner un professionnel",
    "InsertionProfessionnelle": "Insertion professionnelle",
    "SecuriteNumerique": "Prévention en sécurité numérique",
    "Parentalite": "Parentalité",
    "ScolariteEtNumerique": "Scolarité et numérique",
    "CreerAvecLeNumerique": "Créer avec le numérique",
    "CultureNumerique": "Culture numérique",
    "IntelligenceArtificielle": "Intelligence artificielle (IA)",
    "AideAuxDemarchesAdministratives": "Aide aux démarches administratives",
    "PapiersElectionsCitoyennete": "Papiers - Élections - Citoyenneté",
    "FamilleScolarite": "Famille - Scolarité",
    "SocialSante": "Social - Santé",
    "TravailFormation": "Travail - Formation - Entreprise",
    "Logement": "Logement",
    "TransportsMobilite": "Transports - Mobilité",
    "ArgentImpots": "Argent - Impôts",
    "Justice": "Justice",
    "EtrangersEurope": "Étrangers - Europe",
    "LoisirsSportsCulture": "Loisirs - Sports - Culture",
    "Associations": "Associations",
}

AUTONOMIE = {
    "EntierementAccompagne": "Avec guidage",
    "PartiellementAutonome": "Autonome avec guidage en cas de besoin",
    "Autonome": "Autonome",
}
AUTONOMIE_STARS = {"EntierementAccompagne": 1, "PartiellementAutonome": 2, "Autonome": 3}

NIVEAU_ATELIER = {"Debutant": "Débutant", "Intermediaire": "Intermédiaire", "Avance": "Avancé"}
NIVEAU_STARS = {"Debutant": 1, "Intermediaire": 2, "Avance": 3}

STRUCTURE_REDIRECTION = {
    "Administration": "Administration (mairie, préfecture…)",
    "MediationNumerique": "Autre structure de médiation numérique",
    "OperateurOuOrganismeEnCharge": (
        "Opérateur ou organisme en charge de la démarche administrative"
    ),
    "AideSociale": "Structure d’aide sociale (maison des solidarités, centre social…)",
    "InsertionProfessionnelle": (
        "Structure d’insertion professionnelle (France Travail, mission locale, chambre de "
        "commerce…)"
    ),
    "AideAuxDemarchesAdministratives": (
        "Structure d’aide aux démarches administratives (France Services…)"
    ),
    "Autre": "Autre",
}

GENRE = {"Masculin": "Masculin", "Feminin": "Féminin", "NonCommunique": "Non communiqué"}

TRANCHE_AGE = {
    "SoixanteDixPlus": "70 ans et plus",
    "SoixanteSoixanteNeuf": "60 - 69 ans",
    "QuaranteCinquanteNeuf": "40 - 59 ans",
    "VingtCinqTrenteNeuf": "25 - 39 ans",
    "DixHuitVingtQuatre": "18 - 24 ans",
    "DouzeDixHuit": "12 - 17 ans",
    "MoinsDeDouze": "Moins de 12 ans",
    "NonCommunique": "Non communiqué",
}

STATUT_SOCIAL = {
    "Retraite": "Retraité",
    "SansEmploi": "Sans emploi",
    "EnEmploi": "En emploi",
    "Scolarise": "Scolarisé",
    "NonCommunique": "Non communiqué ou hétérogène",
}

ENUMERATIONS = {
    "TypeActivite": TYPE_ACTIVITE,
    "TypeLieu": TYPE_LIEU,
    "Materiel": MATERIEL,
    "Thematique": THEMATIQUE,
    "Autonomie": AUTONOMIE,
    "NiveauAtelier": NIVEAU_ATELIER,
    "StructureDeRedirection": STRUCTURE_REDIRECTION,
    "Genre": GENRE,
    "TrancheAge": TRANCHE_AGE,
    "StatutSocial": STATUT_SOCIAL,
}

ROLE_CONSEILLER = "Conseiller Numérique"
ROLE_MEDIATEUR = "Médiateur"
YES, NO = "Oui", "Non"
SOURCE_V2 = "La Coop de la médiation numérique (V2)"
SHEET = "Activités"


def columns(*, own):
    """The accompaniments worksheet's headers, in order (§1b): `own`, the requester is the
    only mediator exported ("self"). The V1 "Source de la donnée" column is left out: it
    is only there for mediators with V1 reports, which Parcours never has."""
    return [
        "Date",
        "Enregistré le",
        "Dernière modification le",
        *([] if own else ["Prénom du médiateur", "Nom du médiateur", "Rôle", "ID - Conum"]),
        "Type",
        "Participants",
        *(["Bénéficiaire"] if own else []),
        "Canaux d’accompagnement",
        "Nom du lieu",
        "Adresse",
        "Commune",
        "Code postal",
        "Code Insee",
        "Durée (min)",
        "Nom de l’atelier",
        "Matériel numérique utilisé",
        "Thématique(s) d’accompagnement",
        "Tags",
        "Nom de la démarche administrative",
        "Niveau d’autonomie (ou de l’atelier)",
        "Bénéficiaire réorienté",
        "Structure de redirection",
        "Commune du bénéficiaire",
        "Code postal du bénéficiaire",
        "Code Insee du bénéficiaire",
        "Genre du bénéficiaire",
        "Tranche d’âge du bénéficiaire",
        "Statut du bénéficiaire",
        *(["Notes supplémentaires"] if own else []),
        "ID CRA",
    ]
