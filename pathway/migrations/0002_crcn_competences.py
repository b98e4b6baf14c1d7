"""Ship the French digital competence framework (CRCN) with its DigComp 2.2 counterparts.

Each CRCN competence is mapped to the closest DigComp 2.2 competence, the European framework
employers know; the CRCN was itself derived from DigComp 2.1.
"""

from django.db import migrations

DOMAINS = {
    "1": ("Information et données", "Information and data"),
    "2": ("Communication et collaboration", "Communication and collaboration"),
    "3": ("Création de contenus", "Content creation"),
    "4": ("Protection et sécurité", "Protection and security"),
    "5": ("Environnement numérique", "Digital environment"),
}

# code, French title, English title, DigComp 2.2 code, DigComp 2.2 title
COMPETENCES = [
    (
        "1.1",
        "Mener une recherche et une veille d'information",
        "Conduct information searches and monitoring",
        "1.1",
        "Browsing, searching and filtering data, information and digital content",
    ),
    (
        "1.2",
        "Gérer des données",
        "Manage data",
        "1.3",
        "Managing data, information and digital content",
    ),
    (
        "1.3",
        "Traiter des données",
        "Process data",
        "1.3",
        "Managing data, information and digital content",
    ),
    ("2.1", "Interagir", "Interact", "2.1", "Interacting through digital technologies"),
    (
        "2.2",
        "Partager et publier",
        "Share and publish",
        "2.2",
        "Sharing through digital technologies",
    ),
    ("2.3", "Collaborer", "Collaborate", "2.4", "Collaborating through digital technologies"),
    (
        "2.4",
        "S'insérer dans le monde numérique",
        "Find one's place in the digital world",
        "2.6",
        "Managing digital identity",
    ),
    (
        "3.1",
        "Développer des documents textuels",
        "Develop text documents",
        "3.1",
        "Developing digital content",
    ),
    (
        "3.2",
        "Développer des documents multimédia",
        "Develop multimedia documents",
        "3.2",
        "Integrating and re-elaborating digital content",
    ),
    (
        "3.3",
        "Adapter les documents à leur finalité",
        "Adapt documents to their purpose",
        "3.3",
        "Copyright and licences",
    ),
    ("3.4", "Programmer", "Program", "3.4", "Programming"),
    (
        "4.1",
        "Sécuriser l'environnement numérique",
        "Secure the digital environment",
        "4.1",
        "Protecting devices",
    ),
    (
        "4.2",
        "Protéger les données personnelles et la vie privée",
        "Protect personal data and privacy",
        "4.2",
        "Protecting personal data and privacy",
    ),
    (
        "4.3",
        "Protéger la santé, le bien-être et l'environnement",
        "Protect health, well-being and the environment",
        "4.3",
        "Protecting health and well-being",
    ),
    (
        "5.1",
        "Résoudre des problèmes techniques",
        "Solve technical problems",
        "5.1",
        "Solving technical problems",
    ),
    (
        "5.2",
        "Construire un environnement numérique",
        "Build a digital environment",
        "5.2",
        "Identifying needs and technological responses",
    ),
]


def load(apps, schema_editor):
    Competence = apps.get_model("pathway", "Competence")
    for code, name_fr, name_en, digcomp_code, digcomp_name in COMPETENCES:
        domain_code = code.split(".")[0]
        domain_fr, domain_en = DOMAINS[domain_code]
        Competence.objects.update_or_create(
            code=code,
            defaults={
                "domain_code": domain_code,
                "domain_fr": domain_fr,
                "domain_en": domain_en,
                "name_fr": name_fr,
                "name_en": name_en,
                "digcomp_code": digcomp_code,
                "digcomp_name": digcomp_name,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("pathway", "Competence").objects.filter(
        code__in=[row[0] for row in COMPETENCES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("pathway", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
