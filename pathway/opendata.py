"""The network's places in the national open-data standard (lieux de médiation numérique,
v1.0.2): rows for /open-data/places.csv and .json, the check that keeps a broken row out of
them, and the import of a file in the same standard (django-import-export).

The schema is read from pathway/standards/, so a row is checked against exactly the
constraints (required fields, patterns, lengths) that validators of the standard apply.
"""

import contextlib
import functools
import json
import re
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from pathway.hours import is_valid as hours_are_valid
from pathway.models import (
    AccessMode,
    Actor,
    Fee,
    NationalProgramme,
    Place,
    Pole,
    Public,
    Service,
    SpecificCare,
    SupportMode,
    Typology,
    normalize_french_phone,
)
from pathway.spreadsheets import csv_cell, csv_text

SCHEMA_PATH = Path(__file__).parent / "standards" / "lieux-mediation-numerique.schema.json"
EXAMPLE_PATH = SCHEMA_PATH.with_name("lieux-mediation-numerique.exemple-valide.csv")

# Standard column -> the TextChoices whose French labels are the standard's values.
VOCABULARIES = {
    "typologie": Typology,
    "services": Service,
    "publics_specifiquement_adresses": Public,
    "prise_en_charge_specifique": SpecificCare,
    "frais_a_charge": Fee,
    "dispositif_programmes_nationaux": NationalProgramme,
    "modalites_acces": AccessMode,
    "modalites_accompagnement": SupportMode,
}
# Values of ours the standard does not have: kept in the guide, left out of the export.
NOT_IN_STANDARD = {Public.JOB_SEEKERS}
# Which poles of the pathway a service belongs to, for places imported without poles.
POLES_OF_SERVICE = {
    Service.PAPERWORK: Pole.NECESSITY,
    Service.DAILY_TOOLS: Pole.ACHIEVEMENT,
    Service.EMPLOYMENT: Pole.ACHIEVEMENT,
    Service.SAFE_USE: Pole.ACHIEVEMENT,
    Service.UNDERSTANDING: Pole.ACHIEVEMENT,
    Service.PARENTING: Pole.LEISURE,
    Service.LEISURE: Pole.LEISURE,
}


@functools.cache
def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def column_names():
    return [f["name"] for f in schema()["fields"]]


@functools.cache
def standard_values(choices):
    """{code: the standard's exact French value} (labels read untranslated)."""
    with translation.override(None):
        return {code: str(label) for code, label in choices.choices}


def standard_list(choices, codes):
    values = standard_values(choices)
    return "|".join(
        values[code] for code in codes if code in values and code not in NOT_IN_STANDARD
    )


def coordinate(value):
    return float(value.quantize(Decimal("0.000001"))) if value is not None else None


def place_row(place):
    """One place as a row of the standard (a dict in the schema's column order)."""
    actor = place.actor
    phone = place.phone or ""
    if phone:
        # A phone that cannot be normalised is left as is: row_problems() reports it.
        with contextlib.suppress(ValidationError):
            phone = normalize_french_phone(phone)
    row = {
        "id": f"lieu-{place.pk}",
        "pivot": actor.siret,
        "nom": place.name,
        "commune": place.city,
        "code_postal": place.postcode,
        "code_insee": place.insee_code,
        "adresse": place.address,
        "complement_adresse": place.address_complement,
        "latitude": coordinate(place.latitude),
        "longitude": coordinate(place.longitude),
        "typologie": "|".join(place.typology),
        "telephone": phone,
        "courriels": place.email or actor.email,
        "site_web": place.website or actor.website,
        "horaires": place.opening_hours,
        "presentation_resume": place.summary,
        "presentation_detail": place.description,
        # The network of the actor's town publishes the place.
        "source": actor.town.network_name,
        "itinerance": "Itinérant" if place.is_mobile else "Fixe",
        "structure_parente": actor.name if actor.name != place.name else "",
        "date_maj": timezone.localtime(place.updated_at).date().isoformat(),
        "services": standard_list(Service, place.services),
        "publics_specifiquement_adresses": standard_list(Public, place.publics),
        "prise_en_charge_specifique": standard_list(SpecificCare, place.specific_care),
        "frais_a_charge": standard_list(Fee, place.fees),
        "dispositif_programmes_nationaux": standard_list(
            NationalProgramme, place.national_programmes
        ),
        "formations_labels": "",
        "autres_formations_labels": "",
        "modalites_acces": standard_list(AccessMode, place.access_modes),
        "modalites_accompagnement": standard_list(SupportMode, place.support_modes),
        "fiche_acces_libre": place.accessibility_url,
        "prise_rdv": place.appointment_url,
    }
    return {name: row[name] for name in column_names()}


@functools.cache
def compiled_patterns():
    return {
        f["name"]: re.compile(f["constraints"]["pattern"])
        for f in schema()["fields"]
        if "pattern" in f.get("constraints", {})
    }


def row_problems(row):
    """Why this row would break the standard, in French (empty when it is valid)."""
    problems = []
    patterns = compiled_patterns()
    for spec in schema()["fields"]:
        name, constraints = spec["name"], spec.get("constraints", {})
        title = spec.get("title", name)
        value = row.get(name)
        empty = value is None or value == ""
        if empty:
            if constraints.get("required"):
                problems.append(_("%(field)s manquant") % {"field": title})
            continue
        if name in patterns and not patterns[name].fullmatch(str(value)):
            problems.append(
                _("%(field)s invalide (« %(value)s »)") % {"field": title, "value": value}
            )
        # Measured as written in the CSV, where a formula-like text gains a quote.
        if "maxLength" in constraints and len(str(csv_cell(value))) > constraints["maxLength"]:
            problems.append(
                _("%(field)s trop long (%(n)s caractères au plus)")
                % {"field": title, "n": constraints["maxLength"]}
            )
    if not row.get("services"):
        problems.append(_("aucun service coché"))
    if row.get("horaires") and not hours_are_valid(row["horaires"]):
        problems.append(_("horaires illisibles"))
    return problems


def published_places():
    return Place.objects.in_guide().with_guide_data().order_by("pk")


def export_rows(places=None):
    """(valid rows, [(place, problems)] left out)."""
    rows, left_out = [], []
    for place in published_places() if places is None else places:
        row = place_row(place)
        problems = row_problems(row)
        if problems:
            left_out.append((place, problems))
        else:
            rows.append(row)
    return rows, left_out


def place_problems(place):
    return row_problems(place_row(place))


def as_csv(rows):
    """The rows as CSV. A text a spreadsheet would run as a formula (a place named
    "=HYPERLINK(…)") gets a leading quote (pathway.spreadsheets): the standard's text
    fields allow it, and the fields with a pattern never start that way (a phone number
    "+33…" is a number, left as it is)."""
    names = column_names()
    lines = [names, *(["" if row[name] is None else row[name] for name in names] for row in rows)]
    return csv_text(lines, lineterminator="\n")


def as_json(rows):
    """A JSON array of rows: objects with every column of the standard, in its order, an
    empty value being null."""
    return json.dumps(
        [{k: None if v == "" else v for k, v in row.items()} for row in rows],
        ensure_ascii=False,
        indent=1,
    )


# Import -------------------------------------------------------------------------------------


class StandardListWidget(widgets.Widget):
    """A "|"-separated list of the standard's values <-> a list of our codes."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        by_value = {v.casefold(): code for code, v in standard_values(self.choices).items()}
        codes, unknown = [], []
        for item in str(value or "").split("|"):
            item = item.strip()
            if not item:
                continue
            if item.casefold() in by_value:
                codes.append(by_value[item.casefold()])
            else:
                unknown.append(item)
        if unknown:
            raise ValueError(
                _("valeur inconnue du standard : %(values)s") % {"values": ", ".join(unknown)}
            )
        return codes

    def render(self, value, obj=None, **kwargs):
        return standard_list(self.choices, value or [])


class ActorBySiretWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        siret = re.sub(r"\s", "", str(value or ""))
        actor = Actor.objects.filter(siret=siret).first() if siret else None
        if actor is None:
            raise ValueError(
                _(
                    "aucune structure du réseau n'a le SIRET « %(siret)s » : créez-la "
                    "d'abord (ou corrigez le SIRET)"
                )
                % {"siret": value}
            )
        return actor

    def render(self, value, obj=None, **kwargs):
        return value.siret if value else ""


class FirstOfListWidget(widgets.CharWidget):
    """The standard allows several e-mails or web sites separated by "|": keep the first."""

    def clean(self, value, row=None, **kwargs):
        return str(value or "").split("|")[0].strip()


class MobileWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return "Itinérant" in str(value or "")

    def render(self, value, obj=None, **kwargs):
        return "Itinérant" if value else "Fixe"


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


def column(attribute, name, widget=None):
    return fields.Field(attribute=attribute, column_name=name, widget=widget or TextWidget())


class PlaceResource(resources.ModelResource):
    """Places read from a file of the national standard (CSV, XLSX…). A place is matched to
    an existing one by its structure (SIRET) and name; every row is validated like the
    form (hours, postcode, coordinates, phone, services) and the whole file is written only
    if every row is valid."""

    actor = fields.Field(attribute="actor", column_name="pivot", widget=ActorBySiretWidget())
    name = column("name", "nom")
    city = column("city", "commune")
    postcode = column("postcode", "code_postal")
    insee_code = column("insee_code", "code_insee")
    address = column("address", "adresse")
    address_complement = column("address_complement", "complement_adresse")
    latitude = column("latitude", "latitude", widgets.DecimalWidget())
    longitude = column("longitude", "longitude", widgets.DecimalWidget())
    typology = column("typology", "typologie", StandardListWidget(Typology))
    phone = column("phone", "telephone")
    email = column("email", "courriels", FirstOfListWidget())
    website = column("website", "site_web", FirstOfListWidget())
    opening_hours = column("opening_hours", "horaires")
    summary = column("summary", "presentation_resume")
    description = column("description", "presentation_detail")
    is_mobile = column("is_mobile", "itinerance", MobileWidget())
    services = column("services", "services", StandardListWidget(Service))
    publics = column("publics", "publics_specifiquement_adresses", StandardListWidget(Public))
    specific_care = column(
        "specific_care", "prise_en_charge_specifique", StandardListWidget(SpecificCare)
    )
    fees = column("fees", "frais_a_charge", StandardListWidget(Fee))
    national_programmes = column(
        "national_programmes",
        "dispositif_programmes_nationaux",
        StandardListWidget(NationalProgramme),
    )
    access_modes = column("access_modes", "modalites_acces", StandardListWidget(AccessMode))
    support_modes = column(
        "support_modes", "modalites_accompagnement", StandardListWidget(SupportMode)
    )
    accessibility_url = column("accessibility_url", "fiche_acces_libre")
    appointment_url = column("appointment_url", "prise_rdv")

    class Meta:
        model = Place
        fields = [
            "actor",
            "name",
            "city",
            "postcode",
            "insee_code",
            "address",
            "address_complement",
            "latitude",
            "longitude",
            "typology",
            "phone",
            "email",
            "website",
            "opening_hours",
            "summary",
            "description",
            "is_mobile",
            "services",
            "publics",
            "specific_care",
            "fees",
            "national_programmes",
            "access_modes",
            "support_modes",
            "accessibility_url",
            "appointment_url",
        ]
        import_id_fields = ["actor", "name"]
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = False

    def import_data(self, dataset, **kwargs):
        # All or nothing: one invalid row and no row is written.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)

    def get_instance(self, instance_loader, row):
        siret = re.sub(r"\s", "", str(row.get("pivot") or ""))
        return Place.objects.filter(
            actor__siret=siret, name=str(row.get("nom") or "").strip()
        ).first()

    def before_save_instance(self, instance, row, **kwargs):
        if not instance.poles:
            instance.poles = sorted(
                {POLES_OF_SERVICE[s] for s in instance.services if s in POLES_OF_SERVICE},
                key=lambda pole: Pole(pole).rank,
            )
