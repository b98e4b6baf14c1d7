"""Workflows of the network's offer that touch several records."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pathway import communes
from pathway.models import Territory, TerritoryKind, Town


@dataclass
class TerritorySetUp:
    """What territory_set_up() did."""

    territory: Territory
    created: bool
    attached: list = field(default_factory=list)  # towns added to the territory
    kept: list = field(default_factory=list)  # towns that were in it already
    detached: list = field(default_factory=list)  # towns that no longer belong to it
    elsewhere: int = 0  # member communes with no town in this installation


def official_territory(kind, code):
    """(official name, INSEE codes of the member communes, normalised code) of the
    intercommunality (kind EPCI, code its SIREN) or department (kind DEPARTMENT) from the
    data shipped (pathway.communes). Raises ValidationError, in plain French, for an
    unknown code."""
    code = (code or "").strip().upper()
    if kind == TerritoryKind.EPCI:
        epci = communes.epci(code)
        if epci is not None:
            return epci.name, epci.members, epci.siren
        commune = communes.get(code)
        if commune is not None and (own := communes.epci_of(code)) is not None:
            message = _(
                "%(code)s est le code INSEE de %(commune)s, pas un SIREN. Son "
                "intercommunalité est « %(name)s » : SIREN %(siren)s."
            ) % {"code": code, "commune": commune.name, "name": own.name, "siren": own.siren}
        else:
            message = _(
                "Aucune intercommunalité n'a le SIREN « %(code)s ». Un SIREN a 9 chiffres, "
                "par exemple 200054807 pour la Métropole d'Aix-Marseille-Provence."
            ) % {"code": code}
        raise ValidationError({"code": message})
    if kind == TerritoryKind.DEPARTMENT:
        department = communes.department(code)
        if department is not None:
            return department.name, department.members, department.code
        raise ValidationError(
            {
                "code": _("Aucun département n'a le numéro « %(code)s ». Exemples : 13, 2A, 974.")
                % {"code": code}
            }
        )
    raise ValidationError(
        {"kind": _("Seuls une intercommunalité et un département ont un code officiel.")}
    )


@transaction.atomic
def territory_set_up(*, kind, code):
    """Create or update the territory of an intercommunality (`code`: its SIREN) or a
    department (its number) from the official data shipped with the product: its official
    name and code, and, among the installation's towns, exactly those that belong to it.
    Returns a TerritorySetUp; raises ValidationError (nothing written) for an unknown code,
    or when another territory already has the official name."""
    name, members, code = official_territory(kind, code)
    territory = Territory.objects.filter(kind=kind, code=code).first()
    namesake = Territory.objects.filter(name=name).exclude(pk=getattr(territory, "pk", None))
    if namesake.exists():
        raise ValidationError(
            {
                "name": _(
                    "Un autre territoire s'appelle déjà « %(name)s » : donnez-lui son code "
                    "officiel dans l'administration (Territoires), ou renommez-le."
                )
                % {"name": name}
            }
        )
    created = territory is None
    if created:
        slug = slugify(name)
        if Territory.objects.filter(slug=slug).exists():
            slug = f"{slug}-{code.lower()}"
        territory = Territory.objects.create(name=name, slug=slug, kind=kind, code=code)
    elif territory.name != name:
        territory.name = name
        territory.save(update_fields=["name"])
    members = set(members)
    towns = list(Town.objects.order_by("name"))
    belonging = [town for town in towns if town.insee_code in members]
    current = set(territory.towns.values_list("pk", flat=True))
    result = TerritorySetUp(
        territory=territory,
        created=created,
        attached=[town for town in belonging if town.pk not in current],
        kept=[town for town in belonging if town.pk in current],
        detached=[town for town in towns if town.pk in current and town not in belonging],
        elsewhere=len(members) - len(belonging),
    )
    territory.towns.add(*result.attached)
    territory.towns.remove(*result.detached)
    return result
