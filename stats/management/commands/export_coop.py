"""The Coop's accompaniments file of a period (stats.coop.export)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from learners.models import User
from stats.coop.export import CoopExport, Scope


def day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Date invalide « {text} » : AAAA-MM-JJ attendu.") from error


class Command(BaseCommand):
    help = "Exporte les accompagnements au format de la Coop de la médiation numérique."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--mediator", help="identifiant du médiateur (ses accompagnements)")
        scope.add_argument("--actor", help="identifiant numérique de la structure")
        parser.add_argument("--start", required=True, type=day)
        parser.add_argument("--end", required=True, type=day)
        parser.add_argument("--output", required=True, help="fichier .xlsx ou .csv")
        parser.add_argument("--user", help="exporter avec les droits de ce compte")

    def handle(self, *args, mediator, actor, start, end, output, user, **options):
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"Compte inconnu : {user}")
        elif mediator:
            by = User.objects.filter(username=mediator).first()
            if by is None:
                raise CommandError(f"Médiateur inconnu : {mediator}")
        else:
            by = User.objects.filter(role="network_admin", is_active=True).order_by("pk").first()
            if by is None:
                raise CommandError("Aucun compte de coordination du réseau : indiquez --user.")
        try:
            scope = Scope.parse(by, mediator=mediator, actor=actor)
        except Http404 as error:
            raise CommandError("Ce périmètre n'existe pas ou n'est pas accessible.") from error
        export = CoopExport(scope, start, end)
        if output.endswith(".csv"):
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.write(export.csv())
        else:
            with open(output, "wb") as f:
                f.write(export.xlsx())
        self.stdout.write(f"{export.count} lignes écrites dans {output}")
        for label, count in export.unmapped.items():
            self.stderr.write(
                f"Sans correspondance dans la Coop : {label} ({count} accompagnements)"
            )
