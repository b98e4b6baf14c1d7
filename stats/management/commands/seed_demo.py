"""Build the demo town: the network of Miramas, its staff, residents and a year of sessions.

    python manage.py seed_demo                      # ~2,000 residents, ~8,000 sessions
    python manage.py seed_demo --residents 100000 --sessions 1000000
    python manage.py seed_demo --towns 3            # Miramas, Istres, Saint-Chamas

With --towns N, Miramas and its N - 1 nearest neighbours of the Métropole
d'Aix-Marseille-Provence (stats.demo.neighbours), each with its own network, grouped in the
Métropole's territory; --residents and --sessions stay the installation's totals, shared
between the towns in proportion to the size of their networks (their numbers of actors).

The town is built by stats.demo.town.seed(), which the bench uses too.
"""

import time
from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from certificates.models import Certificate
from learners.models import Participation, Resident, ResidentLink, Role, User
from pathway.models import Actor, Town
from stats.demo.factories import DEMO_PASSWORD
from stats.demo.neighbours import TOWNS
from stats.demo.town import seed


class Command(BaseCommand):
    help = (
        "Crée la ville de démonstration (réseau, équipes, habitants, une année d'accompagnements)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents", type=int, default=2000, help="Nombre d'habitants (toutes villes)."
        )
        parser.add_argument(
            "--sessions",
            type=int,
            default=8000,
            help="Nombre d'accompagnements (toutes villes).",
        )
        parser.add_argument(
            "--towns",
            type=int,
            default=1,
            help=f"Nombre de villes voisines, de 1 à {len(TOWNS)} : Miramas, puis Istres, "
            "Saint-Chamas… de la Métropole d'Aix-Marseille-Provence.",
        )
        parser.add_argument(
            "--certificates",
            type=int,
            default=None,
            help="Nombre d'attestations obtenues à délivrer (par défaut : habitants / 20, "
            "150 au plus).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Graine du hasard (reproductible)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ne rien créer si la base contient déjà des données (affiche les accès).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Effacer d'abord toutes les données existantes."
        )

    def handle(self, *args, **options):
        towns = options["towns"]
        if not 1 <= towns <= len(TOWNS):
            raise CommandError(
                f"--towns va de 1 à {len(TOWNS)} : la démonstration connaît Miramas et "
                f"{len(TOWNS) - 1} villes voisines."
            )
        if towns == 1 and (options["residents"] < 10 or options["sessions"] < 10):
            raise CommandError("Il faut au moins 10 habitants et 10 accompagnements.")
        if options["residents"] < 10 * towns or options["sessions"] < 10 * towns:
            raise CommandError(
                f"Il faut au moins 10 habitants et 10 accompagnements par ville, soit "
                f"{10 * towns} de chaque pour {towns} villes."
            )
        if Actor.objects.exists() or Resident.objects.exists():
            if options["if_empty"]:
                self.stdout.write("La base contient déjà des données : rien n'a été créé.")
                self.print_logins()
                return
            if not options["reset"]:
                raise CommandError(
                    "La base contient déjà des données. Relancez avec --if-empty pour ne rien "
                    "faire, ou avec --reset pour tout effacer et recréer la ville de démonstration."
                )
        started = time.perf_counter()
        rows = seed(
            residents=options["residents"],
            sessions=options["sessions"],
            towns=towns,
            seed=options["seed"],
            reset=options["reset"],
            certificates=options["certificates"],
            progress=self.stdout.write if options["verbosity"] > 0 else None,
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Ville de démonstration créée : {rows:,} lignes en {elapsed:.1f} s "
                f"({rows / elapsed:,.0f} lignes/s).".replace(",", " ")
            )
        )
        self.print_logins()

    def print_logins(self):
        resident = Resident.objects.filter(first_name="Nadia", last_name="Benhamou").first()
        lines = [
            "",
            f"Accès de démonstration (mot de passe pour tous : {DEMO_PASSWORD})",
            "  coordination            coordination du réseau (administration comprise)",
            "  responsable.fs          responsable de structure, France services",
            "  mediatrice.fs           médiatrice, France services",
            "  mediateur.fs            médiateur, France services (collègue)",
            "  mediatrice.mediatheque  médiatrice, médiathèque",
            "  elu                     élu (statistiques seulement)",
        ]
        lines += self.other_towns()
        device = TOTPDevice.objects.filter(user__username="coordination", confirmed=True).first()
        if device:
            key = b32encode(device.bin_key).decode()
            who = "coordination demande"
            if Town.objects.count() > 1:
                who = "coordination et coordination.<ville> demandent"
            lines.append(
                f"  {who} aussi un code à 6 chiffres : ajoutez la clé {key} à une "
                f"application d'authentification, ou tapez « oathtool --totp -b {key} »."
            )
        if resident:
            _link, token = ResidentLink.create_for(resident, days=30)
            lines.append(
                f"  Espace habitant de {resident.display_name} : "
                f"{settings.SITE_URL}/me/link/{token}/"
            )
        certificate = (
            Certificate.objects.filter(revoked_at__isnull=True).order_by("resident_id").first()
        )
        if certificate:
            lines.append(
                f"  Vérifier une attestation ({certificate.resident.display_name}) : "
                f"{certificate.verify_url}"
            )
        self.stdout.write("\n".join(lines))

    def other_towns(self):
        """The logins of the neighbouring towns and of the territory (seed_demo --towns)."""
        lines = []
        logins = {spec.insee: spec.login for spec in TOWNS}
        for town in Town.objects.exclude(insee_code=settings.TOWN_INSEE_CODE).order_by("pk"):
            if login := logins.get(town.insee_code):
                lines.append(
                    f"  {town.name} : coordination.{login}, elu.{login}, "
                    f"responsable.{login} (France services), mediatrice.{login}"
                )
        coordinators = User.objects.filter(role=Role.TERRITORY_COORDINATOR).select_related(
            "territory"
        )
        for user in coordinators.exclude(territory=None).order_by("pk"):
            count = user.territory.towns.count()
            lines.append(
                f"  {user.username}  coordination de territoire : {user.territory.name} "
                f"({count} villes, chiffres seulement)"
            )
        followed = (
            Resident.objects.filter(shared_across_towns=True, sharing_consent=True)
            .select_related("created_by_actor__town")
            .order_by("pk")
            .first()
        )
        if followed is None:
            return lines
        home = followed.created_by_actor.town
        elsewhere = (
            Participation.objects.filter(resident=followed)
            .exclude(actor__town=home)
            .select_related("actor__town")
            .first()
        )
        if elsewhere is not None:
            login = logins.get(elsewhere.actor.town.insee_code, "")
            lines.append(
                f"  Suivi dans les villes voisines : la fiche de {followed.display_name} "
                f"({home.name}, référence {followed.reference}) se retrouve aussi à "
                f"{elsewhere.actor.town.name}, où la personne a été accompagnée : "
                f"mediatrice.{login} la voit."
            )
        return lines
