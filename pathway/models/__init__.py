"""What the network offers: poles, actors and their places, neighbourhoods, topics,
the competence framework and training modules, and the workshops planned for the public.
A package, as one file passed 800 lines; every name is re-exported here
(`from pathway.models import Place`):

- network.py: poles, actors, neighbourhoods, operators and topics;
- places.py: places and the national open-data standard they follow;
- framework.py: the competence framework and the training modules;
- workshops.py: the workshops planned for the public;
- reports.py: errors the public reports on a place's page;
- territories.py: the towns of the installation and the territories grouping them."""

from pathway.models.framework import (
    Competence,
    Level,
    Module,
    ModuleCompetence,
    ModuleQuerySet,
    level_range_check,
)
from pathway.models.network import (
    Actor,
    ActorKind,
    ActorQuerySet,
    Neighbourhood,
    Operator,
    Pole,
    Topic,
)
from pathway.models.places import (
    DISABILITY_CARE,
    FRANCE_AREAS,
    SERVICE_PLAIN_WORDS,
    TYPOLOGY_OF_KIND,
    AccessMode,
    ChoiceListField,
    Fee,
    NationalProgramme,
    Place,
    PlaceQuerySet,
    Public,
    Service,
    SpecificCare,
    SupportMode,
    Typology,
    in_france,
    insee_validator,
    normalize_french_phone,
    postcode_validator,
)
from pathway.models.reports import PlaceReport, PlaceReportQuerySet
from pathway.models.territories import (
    Territory,
    TerritoryKind,
    Town,
    TownQuerySet,
    default_town,
    has_neighbours,
)
from pathway.models.workshops import PlannedWorkshop, PlannedWorkshopQuerySet

__all__ = [
    "PlaceReport",
    "PlaceReportQuerySet",
    "DISABILITY_CARE",
    "FRANCE_AREAS",
    "SERVICE_PLAIN_WORDS",
    "TYPOLOGY_OF_KIND",
    "AccessMode",
    "Actor",
    "ActorKind",
    "ActorQuerySet",
    "ChoiceListField",
    "Competence",
    "Fee",
    "Level",
    "Module",
    "ModuleCompetence",
    "ModuleQuerySet",
    "NationalProgramme",
    "Neighbourhood",
    "Operator",
    "Place",
    "PlaceQuerySet",
    "PlannedWorkshop",
    "PlannedWorkshopQuerySet",
    "Pole",
    "Public",
    "Service",
    "SpecificCare",
    "SupportMode",
    "Territory",
    "TerritoryKind",
    "Topic",
    "Town",
    "TownQuerySet",
    "default_town",
    "has_neighbours",
    "Typology",
    "in_france",
    "insee_validator",
    "level_range_check",
    "normalize_french_phone",
    "postcode_validator",
]
