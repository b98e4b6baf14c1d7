"""Create or update a territory from the official data shipped with the product
(pathway.communes), with the installation's towns that belong to it.

    python manage.py territory --epci 200054807     # Métropole d'Aix-Marseille-Provence
    python manage.py territory --department 13      # Bouches-du-Rhône

Run it again after adding a town, or after `communes_refresh`: the territory follows the
official list. The work is done by pathway.services.territory_set_up().
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pathway.models import TerritoryKind
from pathway.services import territory_set_up


class Command(BaseCommand):
    help = (
        "Crée ou met à jour un territoire (intercommunalité ou département) à partir des "
        "données officielles, et y rattache les villes de l'installation qui en font partie."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--epci",
            metavar="SIREN",
            help="SIREN de l'intercommunalité (9 chiffres), par exemple 200054807.",
        )
        which.add_argument(
            "--department", metavar="NUMERO", help="Numéro du département, par exemple 13."
        )

    def handle(self, *args, epci=None, department=None, **options):
        kind = TerritoryKind.EPCI if epci else TerritoryKind.DEPARTMENT
        try:
            done = territory_set_up(kind=kind, code=epci or department)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        territory = done.territory
        code = f"SIREN {territory.code}" if kind == TerritoryKind.EPCI else f"n° {territory.code}"
        verb = "créé" if done.created else "mis à jour"
        lines = [
            f"Territoire « {territory.name} » {verb} "
            f"({territory.get_kind_display().lower()}, {code})."
        ]
        if done.attached:
            lines.append(f"Villes rattachées : {names(done.attached)}.")
        if done.kept:
            lines.append(f"Déjà rattachées : {names(done.kept)}.")
        if done.detached:
            lines.append(f"Retirées, car elles n'en font plus partie : {names(done.detached)}.")
        if not (done.attached or done.kept):
            lines.append(
                "Aucune ville de cette installation n'en fait partie pour l'instant : ajoutez "
                "la ville (administration, Villes), puis relancez cette commande."
            )
        self.stdout.write("\n".join(lines))


def names(towns):
    return ", ".join(town.name for town in towns)
