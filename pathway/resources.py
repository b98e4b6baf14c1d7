"""Spreadsheets of the network's offer (django-import-export): actors, places and training
modules, with French column headers that the export writes and the import reads back,
dates in French formats, and related records named the way people name them (an actor by
its name or SIRET, a competence by its CRCN code).

The widgets here are shared with learners.resources. Every import runs through
learners.imports, which checks the whole file first and writes it all or nothing."""

import datetime
import decimal
import functools
import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from pathway import opendata
from pathway.models import Actor, ActorKind, Competence, Level, Module, ModuleCompetence, Place
from pathway.permissions import Role, in_their_towns, in_town_of
from pathway.sorting import Alphabetical
from pathway.text import normalise

# Widgets --------------------------------------------------------------------------------

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M"]
TIME_PATTERN = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})?(?::\d{2})?$")


@functools.lru_cache(maxsize=20_000)
def normalised(value):
    """normalise(), remembered: the cells of a file repeat the same few names."""
    return normalise(str(value))


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


class DateWidget(widgets.Widget):
    """JJ/MM/AAAA (also JJ/MM/AA, JJ-MM-AAAA, JJ.MM.AAAA, AAAA-MM-JJ, or a spreadsheet's
    date cell); written JJ/MM/AAAA."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for pattern in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(
            _("date illisible « %(value)s » : écrivez-la JJ/MM/AAAA, par exemple 14/03/2026")
            % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class TimeWidget(widgets.Widget):
    """14:30, 14h30, 14h or a spreadsheet's time cell; written HH:MM."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, datetime.time):
            return value.replace(second=0, microsecond=0)
        if isinstance(value, datetime.datetime):
            return value.time().replace(second=0, microsecond=0)
        match = TIME_PATTERN.match(str(value).strip())
        if match:
            hours, minutes = int(match[1]), int(match[2] or 0)
            if hours < 24 and minutes < 60:
                return datetime.time(hours, minutes)
        raise ValueError(
            _("heure illisible « %(value)s » : écrivez-la HH:MM, par exemple 14:30")
            % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%H:%M") if value else ""


# The largest id or whole number a database column holds (PostgreSQL bigint, SQLite).
MAX_ID = 2**63 - 1


def record_id(text):
    """The id written in a cell ("42"), or None when it cannot be one."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


class IntegerWidget(widgets.Widget):
    def __init__(self, *, minimum=None, maximum=None, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        try:
            number = decimal.Decimal(str(value).strip().replace(",", "."))
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("nombre entier attendu, pas « %(value)s »") % {"value": value})
        number = int(number)
        if abs(number) > MAX_ID:
            raise ValueError(_("nombre trop grand : « %(value)s »") % {"value": value})
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise ValueError(
                _("%(value)s n'est pas entre %(min)s et %(max)s")
                % {"value": number, "min": self.minimum, "max": self.maximum}
            )
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DecimalWidget(widgets.Widget):
    """12,5 or 12.5; written with a comma."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        try:
            number = decimal.Decimal(str(value).strip().replace(",", "."))
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_("nombre attendu, pas « %(value)s »") % {"value": value})
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value).replace(".", ",")


class BooleanWidget(widgets.Widget):
    TRUE = {"oui", "o", "vrai", "1", "x", "true", "yes"}
    FALSE = {"non", "n", "faux", "0", "false", "no", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = normalise(str(value if value is not None else ""))
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("répondez oui ou non, pas « %(value)s »") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return _("oui") if value else _("non")


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return value or ""


@functools.cache
def _choice_lookup(choices, language):
    found = {}
    for code, label in choices.choices:
        found[normalise(str(code))] = code
        found[normalise(str(label))] = code
    return found


def choice_lookup(choices):
    """{normalised code or label: code} for a TextChoices (in the active language), built
    once: an import reads it for every cell."""
    return _choice_lookup(choices, get_language())


class ChoiceWidget(widgets.Widget):
    """A choice by its French label (as exported) or its code; "" when allowed."""

    def __init__(self, choices, *, blank=False, **kwargs):
        self.choices, self.blank = choices, blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            if self.blank:
                return ""
            raise ValueError(_("valeur obligatoire"))
        code = choice_lookup(self.choices).get(normalised(value))
        if code is None:
            raise ValueError(
                _("« %(value)s » n'est pas une valeur possible (%(allowed)s)")
                % {
                    "value": value,
                    "allowed": ", ".join(str(label) for _code, label in self.choices.choices),
                }
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class ChoiceListWidget(ChoiceWidget):
    """Several choices separated by "|"."""

    def clean(self, value, row=None, **kwargs):
        items = [item for item in str(value or "").split("|") if item.strip()]
        return [super(ChoiceListWidget, self).clean(item) for item in items]

    def render(self, value, obj=None, **kwargs):
        return "|".join(str(self.choices(code).label) for code in value or [])


class ActorWidget(widgets.Widget):
    """An actor by its name or its SIRET (spaces allowed), written by name."""

    def __init__(self, *, blank=False, **kwargs):
        self.blank = blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            if self.blank:
                return None
            raise ValueError(_("indiquez la structure (son nom ou son SIRET)"))
        found = find_actors(value)
        if not found:
            raise ValueError(
                _("aucune structure ne s'appelle « %(value)s » ni n'a ce SIRET") % {"value": value}
            )
        if len(found) > 1:
            raise ValueError(
                _(
                    "plusieurs structures s'appellent « %(value)s » (dans des villes "
                    "différentes) : indiquez son SIRET"
                )
                % {"value": value}
            )
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


def find_actors(value):
    """The actors named `value` or of this SIRET (a name is unique within a town only)."""
    text = str(value).strip()
    siret = re.sub(r"\s", "", text)
    condition = Q(name__iexact=text)
    if re.fullmatch(r"[0-9]{14}", siret):
        condition |= Q(siret=siret)
    return list(Actor.objects.filter(condition)[:2])


def find_actor(value):
    """The one actor named `value` or of this SIRET, or None (none, or namesakes)."""
    found = find_actors(value)
    return found[0] if len(found) == 1 else None


def column(attribute, name, widget=None, **kwargs):
    """A column of a file. Its French header is part of the file format: it is not
    translated, so that a file exported in English can be imported back."""
    return fields.Field(
        attribute=attribute, column_name=name, widget=widget or TextWidget(), **kwargs
    )


class ScopedResource(resources.ModelResource):
    """A resource read and written on behalf of a user (`user=` when created): the export
    holds what they may see, the import refuses rows they may not write.

    A row finds its record by a name or a reference, then changes it, its structure
    included: `may_write` is asked of the record as found, before the row touches it, and
    again of what the row would make of it. Otherwise a row naming someone else's record
    with one's own structure would take it over. A row that changes nothing is skipped
    before the question: an export imported back as it is stays harmless."""

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def may_write(self, instance):
        user = self.user
        return (
            user is not None
            and user.is_network_admin
            and (user.town_ids is None or instance.town_id in user.town_ids)
        )

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        instance._writable_as_found = new or self.may_write(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        as_found = getattr(instance, "_writable_as_found", False)
        if not errors and not (as_found and self.may_write(instance)):
            errors["__all__"] = [self.refusal(instance)]
        super().validate_instance(instance, errors, validate_unique)

    def refusal(self, instance):
        return _("Vous ne pouvez pas importer cette ligne : elle concerne une autre structure.")


# Actors ---------------------------------------------------------------------------------


class ActorResource(ScopedResource):
    """Actors of the network, found by SIRET, else by name. The network admin imports them."""

    name = column("name", "nom")
    siret = column("siret", "SIRET")
    kind = column("kind", "type", ChoiceWidget(ActorKind))
    address = column("address", "adresse")
    postcode = column("postcode", "code postal")
    city = column("city", "commune")
    phone = column("phone", "téléphone")
    email = column("email", "courriel")
    website = column("website", "site web")
    description = column("description", "présentation")
    is_published = column("is_published", "publiée", BooleanWidget())
    is_active = column("is_active", "active", BooleanWidget())

    class Meta:
        model = Actor
        fields = [
            "name",
            "siret",
            "kind",
            "address",
            "postcode",
            "city",
            "phone",
            "email",
            "website",
            "description",
            "is_published",
            "is_active",
        ]
        import_id_fields = ["name"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return Actor.objects.visible_to(self.user).order_by(Alphabetical("name"), "id")

    def get_instance(self, instance_loader, row):
        siret = re.sub(r"\s", "", str(row.get("SIRET") or ""))
        if siret:
            found = Actor.objects.filter(siret=siret).first()
            if found:
                return found
        named = Actor.objects.filter(name__iexact=str(row.get("nom") or "").strip())
        return in_their_towns(named, self.user, "pk").first()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if not instance.slug and instance.name:
            instance.slug = unique_slug(Actor, instance.name)
        if instance.pk is None and self.user is not None and self.user.town_id is not None:
            # A new actor joins the network of the admin who imports it.
            instance.town_id = self.user.town_id

    def refusal(self, instance):
        return _("Seule la coordination du réseau importe des structures.")


def unique_slug(model, name):
    base = slugify(name)[:150] or "x"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# Places ---------------------------------------------------------------------------------


class StandardActorWidget(opendata.ActorBySiretWidget):
    """The standard names a place's structure by SIRET ("pivot"); a name works too."""

    def clean(self, value, row=None, **kwargs):
        actor = find_actor(value) if not is_empty(value) else None
        if actor is None:
            return super().clean(value, row, **kwargs)
        return actor

    def render(self, value, obj=None, **kwargs):
        # The standard wants a SIRET; a structure without one is named so that it comes back.
        return (value.siret or value.name) if value else ""


class PlaceResource(ScopedResource, opendata.PlaceResource):
    """Places in the columns of the national open-data standard (the existing import of the
    admin), for a user: coordinators import the places of their actors."""

    actor = fields.Field(attribute="actor", column_name="pivot", widget=StandardActorWidget())

    class Meta(opendata.PlaceResource.Meta):
        report_skipped = True

    def get_queryset(self):
        return Place.objects.visible_to(self.user).select_related("actor").order_by("pk")

    def get_instance(self, instance_loader, row):
        value = row.get("pivot")
        actor = find_actor(value) if not is_empty(value) else None
        if actor is None:
            return super().get_instance(instance_loader, row)
        return Place.objects.filter(actor=actor, name=str(row.get("nom") or "").strip()).first()

    def may_write(self, instance):
        user = self.user
        return user is not None and (
            (user.is_network_admin and in_town_of(user, instance.actor_id))
            or (user.role == Role.COORDINATOR and instance.actor_id in user.actor_ids)
        )

    def refusal(self, instance):
        return _("Vous ne pouvez importer que les lieux des structures que vous coordonnez.")


# Training modules -----------------------------------------------------------------------


class TargetsWidget(widgets.Widget):
    """Competences a module aims at: "1.1=2|4.2=3" (CRCN code = target level)."""

    def clean(self, value, row=None, **kwargs):
        targets = {}
        for item in str(value or "").split("|"):
            if not item.strip():
                continue
            code, _sep, level = item.partition("=")
            code = code.strip()
            if code not in competences_by_code():
                raise ValueError(_("compétence inconnue « %(code)s »") % {"code": code})
            try:
                level = int(level)
            except ValueError:
                level = 0
            if not Level.MIN <= level <= Level.MAX:
                raise ValueError(
                    _("niveau visé de %(code)s : un nombre de 1 à 8 (écrivez %(code)s=3)")
                    % {"code": code}
                )
            targets[code] = level
        return targets

    def render(self, value, obj=None, **kwargs):
        return "|".join(f"{code}={level}" for code, level in sorted((value or {}).items()))


def competences_by_code():
    return {c.code: c for c in Competence.objects.all()}


class ModuleResource(ScopedResource):
    """Training modules and the competences they aim at. Coordinators import their actors'
    modules; network-wide ones (no structure) are the network admin's."""

    name = column("name", "nom")
    actor = column("actor", "structure", ActorWidget(blank=True))
    hours = column("hours", "durée (heures)", DecimalWidget())
    description = column("description", "description")
    is_active = column("is_active", "actif", BooleanWidget())
    targets = fields.Field(
        attribute=None, column_name="compétences visées (code=niveau)", widget=TargetsWidget()
    )

    class Meta:
        model = Module
        fields = ["name", "actor", "hours", "description", "is_active", "targets"]
        import_id_fields = ["name"]
        clean_model_instances = True
        report_skipped = True

    def get_queryset(self):
        # The network's common modules and the user's towns' (not every town's): the file
        # is what the user manages and may import back.
        return (
            Module.objects.in_their_towns(self.user)
            .select_related("actor")
            .prefetch_related("targets__competence")
            .order_by(Alphabetical("name"), "id")
        )

    def get_instance(self, instance_loader, row):
        return Module.objects.filter(name__iexact=str(row.get("nom") or "").strip()).first()

    def dehydrate_targets(self, module):
        return TargetsWidget().render(
            {t.competence.code: t.target_level for t in module.targets.all()}
        )

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not instance.slug and instance.name:
            instance.slug = unique_slug(Module, instance.name)
        column_name = self.fields["targets"].column_name
        try:
            instance._targets = TargetsWidget().clean(row.get(column_name))
        except ValueError as error:
            errors["targets"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def may_write(self, instance):
        user = self.user
        if user is None:
            return False
        if user.is_network_admin:
            return instance.actor_id is None or in_town_of(user, instance.actor_id)
        return user.role == Role.COORDINATOR and instance.actor_id in user.actor_ids

    def refusal(self, instance):
        return _(
            "Vous ne pouvez importer que les modules des structures que vous coordonnez "
            "(un module commun au réseau est importé par la coordination)."
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or instance.pk is None:
            return False
        current = {t.competence.code: t.target_level for t in instance.targets.all()}
        same = all(
            getattr(instance, name) == getattr(original, name)
            for name in ["name", "actor_id", "hours", "description", "is_active"]
        )
        return same and current == instance._targets

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run") and not kwargs.get("using_transactions"):
            return
        by_code = competences_by_code()
        ModuleCompetence.objects.filter(module=instance).delete()
        ModuleCompetence.objects.bulk_create(
            ModuleCompetence(module=instance, competence=by_code[code], target_level=level)
            for code, level in instance._targets.items()
        )
