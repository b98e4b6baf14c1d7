"""Build the demo town: the network of Miramas, its staff, residents and a year of sessions.

    python manage.py seed_demo                      # ~2,000 residents, ~8,000 sessions
    python manage.py seed_demo --residents 100000 --sessions 1000000

The town is built by stats.demo.town.seed(), which the bench uses too.
"""

import time
from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from certificates.models import Certificate
from learners.models import Resident, ResidentLink
from pathway.models import Actor
from stats.demo.factories import DEMO_PASSWORD
from stats.demo.town import seed


class Command(BaseCommand):
    help = (
        "Crée la ville de démonstration (réseau, équipes, habitants, une année d'accompagnements)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=2000)
        parser.add_argument("--sessions", type=int, default=8000)
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
        if options["residents"] < 10 or options["sessions"] < 10:
            raise CommandError("Il faut au moins 10 habitants et 10 accompagnements.")
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
        device = TOTPDevice.objects.filter(user__username="coordination", confirmed=True).first()
        if device:
            key = b32encode(device.bin_key).decode()
            lines.append(
                f"  coordination demande aussi un code à 6 chiffres : ajoutez la clé {key} à une "
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
