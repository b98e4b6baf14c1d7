"""Spreadsheets of residents and of competence assessments (django-import-export), with
the same French headers on export and import, residents named by their reference."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from learners import services
from learners.models import (
    AccessAction,
    AccessLog,
    CompetenceAssessment,
    Resident,
    SocialStatus,
)
from learners.writing.assessments import (
    ASSESSMENT_FIELDS,
    AssessmentErrors,
    AssessmentInput,
    AssessmentResolver,
    may_change,
)
from learners.writing.assessments import refusal as assessment_refusal
from pathway.models import Neighbourhood, Territory, Town
from pathway.resources import (
    ActorWidget,
    BooleanWidget,
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    ScopedResource,
    TextWidget,
    column,
    is_empty,
)


def journal_export(resource):
    """An export is a read of every record in it: one journal row naming the residents
    the file holds (`resource.exported`, collected as its rows were written)."""
    AccessLog.write(
        user=resource.user,
        action=AccessAction.EXPORT,
        residents=resource.exported,
        path=f"/exports/{resource.export_kind}",
    )


# Residents ------------------------------------------------------------------------------


class NeighbourhoodWidget(TextWidget):
    """A neighbourhood by its name, among those of the towns `town_ids` (None: every
    town's): a name is unique within a town only. Of namesakes in two of these towns, the
    resource keeps the one of the record's town (ResidentResource.place_in_town)."""

    def __init__(self, town_ids=None, **kwargs):
        self.town_ids = town_ids
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        found = Neighbourhood.objects.filter(name__iexact=str(value).strip())
        if self.town_ids is not None:
            found = found.filter(town__in=self.town_ids)
        found = found.first()
        if found is None:
            raise ValueError(_("quartier inconnu « %(value)s »") % {"value": value})
        return found

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class ResidentResource(ScopedResource):
    """Residents' records. A row with a reference updates that record (one the user may
    see); a row without creates one at the user's actor (or the one named)."""

    export_kind = "residents"  # as named in learners.imports.KINDS and the export's URL
    reference = column("reference", "référence", readonly=True)
    first_name = column("first_name", "prénom")
    last_name = column("last_name", "nom")
    birth_year = column("birth_year", "année de naissance", IntegerWidget(minimum=1900))
    neighbourhood = column("neighbourhood", "quartier", NeighbourhoodWidget())
    phone = column("phone", "téléphone")
    email = column("email", "courriel")
    social_status = column("social_status", "situation", ChoiceWidget(SocialStatus))
    sharing_consent = column("sharing_consent", "partage accepté", BooleanWidget())
    # Only where the user's town shares a territory with other towns (see __init__).
    shared_across_towns = column(
        "shared_across_towns", "suivi dans les villes voisines", BooleanWidget()
    )
    consent_at = column("consent_at", "partage accepté le", DateWidget(), readonly=True)
    created_by_actor = column("created_by_actor", "structure d'accueil", ActorWidget(blank=True))

    class Meta:
        model = Resident
        fields = [
            "reference",
            "first_name",
            "last_name",
            "birth_year",
            "neighbourhood",
            "phone",
            "email",
            "social_status",
            "sharing_consent",
            "shared_across_towns",
            "consent_at",
            "created_by_actor",
        ]
        import_id_fields = []
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    # What the statistics count people by: a change calls participations_changed().
    COUNTED = ("neighbourhood_id", "birth_year", "social_status")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not self.across_towns_offered():
            # A single-town installation's files look as they always did.
            del self.fields["shared_across_towns"]
        # The neighbourhoods of the user's towns only (the superuser's: every town's).
        self.fields["neighbourhood"].widget = NeighbourhoodWidget(
            getattr(self.user, "town_ids", None)
        )
        self.seen = {}
        self.moved = set()  # residents whose counted details the file changed
        self.exported = []  # references written to an export

    def across_towns_offered(self):
        """Whether the user's towns share a territory with other towns (any town's, for
        the superuser or an export without a user)."""
        town_ids = getattr(self.user, "town_ids", None)
        if town_ids is None:
            return (
                Territory.objects.annotate(towns_count=Count("towns"))
                .filter(towns_count__gt=1)
                .exists()
            )
        return Town.objects.neighbours_of(town_ids).exists()

    def get_queryset(self):
        return (
            Resident.objects.visible_to(self.user)
            .select_related("neighbourhood", "created_by_actor")
            .order_by("last_name", "first_name", "id")
        )

    def dehydrate_consent_at(self, resident):
        return DateWidget().render(resident.consent_at and timezone.localdate(resident.consent_at))

    def export_resource(self, instance, *args, **kwargs):
        self.exported.append(instance.reference)
        return super().export_resource(instance, *args, **kwargs)

    def after_export(self, queryset, dataset, **kwargs):
        journal_export(self)

    def get_instance(self, instance_loader, row):
        reference = str(row.get("référence") or "").strip().upper()
        if not reference:
            return None
        found = self.get_queryset().filter(reference=reference).first()
        if found is None:
            raise ValidationError(
                {
                    "reference": _("aucune fiche accessible n'a la référence « %(ref)s »")
                    % {"ref": reference}
                }
            )
        return found

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        actor_id = instance.created_by_actor_id
        consent_before = (instance.sharing_consent, instance.shared_across_towns)
        instance.counted_before = self.counted(instance) if instance.pk else None
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The row's answers go through the rule every entry path follows (dated, following
        # across towns with sharing only): a missing column leaves its answer as it is.
        sharing, across_towns = instance.sharing_consent, instance.shared_across_towns
        instance.sharing_consent, instance.shared_across_towns = consent_before
        if "suivi dans les villes voisines" not in row or "shared_across_towns" not in self.fields:
            across_towns = None
        try:
            changed = instance.record_consent(sharing=sharing, across_towns=across_towns)
            # A change of an existing record's consent is journaled (after_save_instance).
            instance.consent_changed = changed and instance.pk is not None
        except ValidationError as error:
            errors.setdefault("shared_across_towns", []).extend(error.messages)
        if instance.pk and instance.created_by_actor_id != actor_id:
            if instance.created_by_actor_id is not None:
                errors.setdefault("created_by_actor", []).append(
                    _("la structure d'accueil d'une fiche ne change pas par un import")
                )
            instance.created_by_actor_id = actor_id
        if instance.birth_year and instance.birth_year > timezone.localdate().year:
            errors.setdefault("birth_year", []).append(
                _("l'année de naissance ne peut pas être dans le futur")
            )
        if instance.pk is None:
            instance.created_by = self.user
            if instance.created_by_actor_id is None:
                actor = self.user.main_actor if self.user else None
                if actor is None:
                    errors.setdefault("created_by_actor", []).append(
                        _("indiquez la structure d'accueil")
                    )
                else:
                    instance.created_by_actor = actor
        if "neighbourhood" not in errors:
            self.place_in_town(instance, errors)
        self.check_duplicates(instance, row, errors, kwargs.get("row_number"))
        if errors:
            raise ValidationError(errors)

    def place_in_town(self, instance, errors):
        """A record's neighbourhood is one of its town's, the town of the actor holding it
        (as the record's page offers them): the name the file gives is taken there. A
        mediator of two towns may name a neighbourhood both towns have."""
        neighbourhood, actor = instance.neighbourhood, instance.created_by_actor
        if neighbourhood is None or actor is None or neighbourhood.town_id == actor.town_id:
            return
        namesake = (
            Neighbourhood.objects.of_town_of(actor).filter(name__iexact=neighbourhood.name).first()
        )
        if namesake is None:
            errors.setdefault("neighbourhood", []).append(
                _("quartier inconnu « %(value)s » dans la ville de la structure d'accueil")
                % {"value": neighbourhood.name}
            )
        else:
            instance.neighbourhood = namesake

    def check_duplicates(self, instance, row, errors, line):
        """The same record twice in the file, or a new row for someone who has a record."""
        if instance.pk is None:
            instance.prepare()
            if not (instance.search_last or instance.search_first):
                return  # an anonymous record: nothing to compare
            key = (instance.search_last, instance.search_first, instance.birth_year)
        else:
            key = instance.reference
        if key in self.seen:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("ligne en double : même personne qu'à la ligne %(line)s")
                % {"line": self.seen[key] + 1}
            )
            return
        self.seen[key] = line
        if instance.pk is None and instance.search_last and instance.search_first:
            existing = (
                Resident.objects.visible_to(self.user)
                .filter(
                    search_last=instance.search_last,
                    search_first=instance.search_first,
                    birth_year=instance.birth_year,
                )
                .values_list("reference", flat=True)
                .first()
            )
            if existing:
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    _(
                        "cette personne a déjà une fiche (%(ref)s) : indiquez sa référence pour "
                        "la mettre à jour"
                    )
                    % {"ref": existing}
                )

    def may_write(self, instance):
        # A new record as much as an existing one: the user's actor must hold it.
        return self.user is not None and instance.can_be_changed_by(self.user)

    def refusal(self, instance):
        if instance.pk:
            # Shared with the user's actor by the person's consent, but not theirs to change.
            return _(
                "la fiche %(ref)s appartient à %(actor)s : seule cette structure (ou "
                "la coordination du réseau) peut la modifier"
            ) % {"ref": instance.reference, "actor": instance.created_by_actor.name}
        return _("Choisissez une de vos structures comme structure d'accueil.")

    def counted(self, instance):
        return tuple(getattr(instance, name) for name in self.COUNTED)

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run") and self.user is not None:
            action = AccessAction.EDIT_RECORD
            AccessLog.objects.create(
                user=self.user, resident=instance, action=action, path="import"
            )
            if getattr(instance, "consent_changed", False):
                services.consent_journal(instance, by=self.user, path="import")
            before = getattr(instance, "counted_before", None)
            if before is not None and before != self.counted(instance):
                self.moved.add(instance.pk)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not self._is_dry_run(kwargs) and self.moved:
            # Once for the whole file, as the sessions' import does.
            services.participations_changed(self.moved)


# Competence assessments ------------------------------------------------------------------


class ReferenceWidget(TextWidget):
    """A record named by its reference or code in a cell: read as text (the write path
    looks it up), written as the record's `attribute`."""

    def __init__(self, attribute, **kwargs):
        self.attribute = attribute
        super().__init__(**kwargs)

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.attribute) if value else ""


class AssessmentResource(ScopedResource):
    """Levels reached on competences. A row matches an assessment of the same resident,
    competence and day (whose level it updates); otherwise it records a new one. The cells
    are only read here: the look-ups and the rules are the write path's
    (writing.AssessmentResolver), the same as the API's."""

    export_kind = "assessments"
    resident = column("resident", "habitant (référence)", ReferenceWidget("reference"))
    competence = column("competence", "compétence", ReferenceWidget("code"))
    level = column("level", "niveau", IntegerWidget())
    assessed_on = column("assessed_on", "évalué le", DateWidget())
    assessed_by = column("assessed_by__username", "évalué par", readonly=True)
    session = column("session_id", "accompagnement", readonly=True)

    class Meta:
        model = CompetenceAssessment
        fields = ["resident", "competence", "level", "assessed_on", "assessed_by", "session"]
        import_id_fields = []
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.resolver = AssessmentResolver(self.user)
        self.assessed = set()  # residents with new or changed levels
        self.exported = []  # references written to an export

    def export_resource(self, instance, *args, **kwargs):
        self.exported.append(instance.resident.reference)
        return super().export_resource(instance, *args, **kwargs)

    def after_export(self, queryset, dataset, **kwargs):
        journal_export(self)

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            self.assessed.add(instance.resident_id)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not self._is_dry_run(kwargs) and self.assessed:
            # The modules completed, in the statistics, follow the levels: once per file.
            services.participations_changed(self.assessed)

    def get_queryset(self):
        return (
            CompetenceAssessment.objects.visible_to(self.user)
            .select_related("resident", "competence", "assessed_by")
            .order_by("resident__reference", "competence__code", "assessed_on", "id")
        )

    def row_input(self, row):
        """The row's cells as an AssessmentInput, and the cells that could not be read."""
        data, errors = AssessmentInput(), {}
        for name in ASSESSMENT_FIELDS:
            try:
                setattr(data, name, self.fields[name].clean(row))
            except ValueError as error:
                errors[name] = [str(error)]
        return data, errors

    def get_instance(self, instance_loader, row):
        data, errors = self.row_input(row)
        return None if errors else self.resolver.existing(data)

    def import_instance(self, instance, row, **kwargs):
        data, errors = self.row_input(row)
        try:
            # Whether the user may change the assessment found is ScopedResource's
            # question (may_write, asked before and after the row).
            self.resolver.resolve(data)
        except AssessmentErrors as problems:
            for field, messages in problems.fields.items():
                errors.setdefault(field, messages)
        # Onto the record, refused or not: the model's own checks (clean_model_instances)
        # then look only at the fields without an error.
        instance.resident, instance.competence = self.resolver.found(data)
        instance.level = data.level
        instance.assessed_on = data.assessed_on or self.resolver.today
        if instance.pk is None:
            instance.assessed_by = self.user
        if errors:
            raise ValidationError(errors)

    def may_write(self, instance):
        if self.user is None or not self.user.works_with_residents:
            return False
        return instance.pk is None or may_change(instance, self.user)

    def refusal(self, instance):
        return assessment_refusal()
