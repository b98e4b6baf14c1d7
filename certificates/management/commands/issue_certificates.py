"""Issue the certificates residents earned and do not have yet.

    python manage.py issue_certificates                      # everyone, every module
    python manage.py issue_certificates --module premiers-pas-sur-ordinateur --dry-run
    python manage.py issue_certificates --resident H7KQ4X9T --by mediatrice.fs --language en

Uses the same service as the mediators' pages (certificates.services): all or nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from certificates.models import earned_modules
from certificates.services import certificate_issue_many
from learners.models import Resident, User
from pathway.models import Module


class Command(BaseCommand):
    help = "Délivre les attestations que les habitants ont obtenues et n'ont pas encore."

    def add_arguments(self, parser):
        parser.add_argument("--module", help="Identifiant (slug) d'un module.")
        parser.add_argument(
            "--resident", action="append", default=[], help="Référence d'un habitant (répétable)."
        )
        parser.add_argument("--by", help="Identifiant du membre de l'équipe qui délivre.")
        parser.add_argument("--language", default="fr", choices=["fr", "en"])
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Afficher ce qui serait délivré, sans rien faire.",
        )

    def handle(self, *args, **options):
        issued_by = None
        residents = Resident.objects.active()
        if options["by"]:
            issued_by = User.objects.filter(username=options["by"], is_active=True).first()
            if issued_by is None:
                raise CommandError(f"Aucun membre actif de l'équipe « {options['by']} ».")
            residents = Resident.objects.visible_to(issued_by)
        modules = None
        if options["module"]:
            modules = list(Module.objects.filter(slug=options["module"]))
            if not modules:
                raise CommandError(f"Aucun module « {options['module']} ».")
        if options["resident"]:
            residents = residents.filter(reference__in=options["resident"])
            found = set(residents.values_list("reference", flat=True))
            unknown = sorted(set(options["resident"]) - found)
            if unknown:
                raise CommandError(f"Habitants introuvables : {', '.join(unknown)}.")
        pairs = list(earned_modules(residents, modules=modules))
        people = Resident.objects.in_bulk({r for r, _m in pairs})
        module_of = Module.objects.in_bulk({m for _r, m in pairs})
        pairs = [(people[r], module_of[m]) for r, m in pairs]
        if options["dry_run"] or not pairs:
            for resident, module in pairs:
                self.stdout.write(f"  {resident.reference} {resident.display_name} — {module}")
            self.stdout.write(f"{len(pairs)} attestation(s) à délivrer.")
            return
        try:
            issued = certificate_issue_many(
                pairs=pairs, issued_by=issued_by, language=options["language"]
            )
        except ValidationError as error:
            raise CommandError(
                "Aucune attestation n'a été délivrée :\n  " + "\n  ".join(error.messages)
            ) from error
        for certificate in issued:
            self.stdout.write(f"  {certificate.code} {certificate.resident} — {certificate.module}")
        self.stdout.write(self.style.SUCCESS(f"{len(issued)} attestation(s) délivrée(s)."))
