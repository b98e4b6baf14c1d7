"""The coordination work of the network (meetings held, who took part, which structures)
in the vocabulary of La Coop de la médiation numérique's coordination activities, as XLSX
and CSV: from the calendar (/reseau/agenda/export/) and `manage.py export_coordination`.

Source of the vocabulary: repository `inclusion-numerique/coop-mediation-numerique`,
snapshot `46aa33bdf21c42c2d5bbb2913f5c453cca5a9542` (2026-06-30), under
`apps/web/src/features/activites/use-cases/`:

- `cra/coordination/labels.ts`: TYPE_ACTIVITE_OPTIONS (Animation, Evenement, Partenariat);
- `cra/animation/labels.ts`: TYPE_ANIMATION_OPTIONS, THEMATIQUE_ANIMATION_OPTIONS;
- `cra/evenement/labels.ts`: TYPE_EVENEMENT_OPTIONS, ORGANISATEURS_OPTIONS,
  ECHELON_TERRITORIAL_OPTIONS;
- `cra/partenariat/labels.ts`: NATURE_OPTIONS (not used: see below);
- `list/export/buildActivitesCoordinationWorksheet.ts`: the sheet "Activités de
  coordination", its 20 columns, "/" in a column that is not of the activity's type,
  "Autre : …" for a value without a code.

Copies of those files, with their provenance, are in network/data/coop/; the tests check
every code, label and header below against them. (../shared/standards/coop-activites.md
covers the accompaniments only, not coordination.)

How our calendar maps to it (our choice, written in every row):

- comité de pilotage, groupe de travail, réunion de coordination, webinaire: an Animation
  of the Coop's type of the same name (Comite, GroupeDeTravail, ReunionCoordination,
  Webinaire); the assises: an Evenement of type InclusionNumerique ("Journée d'inclusion
  numérique"). Exact equivalents.
- formation des médiateurs: the Coop has no such type of animation: "Autre : Formation des
  médiateurs", thématique Professionnel (whose examples include "Formation interne");
  another event: "Autre : Événement". The column "Correspondance avec la Coop" says so.
- The thématique d'animation is ours to choose (the Coop asks the coordinator): steering
  and coordination meetings → Reseau, working groups and webinars → Partage.
- Partenariat: the product records no partnership as such (nature, partner structures):
  no row of that type; the structures represented at each meeting are in our column
  "Structures représentées", and the file's "À propos" sheet says so.
- Only meetings held (ended) of the period are exported: the work done, not planned.
- Participants: those marked present when attendance was taken, else those registered
  (column "Présences notées").
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from network.calendar import network_name
from network.models import Meeting, MeetingKind
from pathway.models import Actor
from pathway.permissions import Role, in_their_towns
from pathway.spreadsheets import csv_file_text, xlsx_bytes

# The Coop's codes and labels: data in French as its files hold them, never translated.
TYPE_ACTIVITE = {"Evenement": "Évènement", "Partenariat": "Partenariat", "Animation": "Animation"}
TYPE_ANIMATION = {
    "Assemblee": "Assemblée / présentation officielle (Ex : conseil municipal, conseil "
    "communautaire, conseil départemental, CA d’association)",
    "Comite": "Comité technique / de pilotage",
    "GroupeDeTravail": "Groupe de travail",
    "Echange": "Moment d’échange / aide / soutien",
    "ReunionCoordination": "Réunion de coordination (coordinateurs, médiateurs et conseillers "
    "numériques, préfectures, Hubs...)",
    "Webinaire": "Webinaire",
    "Autre": "Autre",
}
THEMATIQUE_ANIMATION = {
    "Partage": "Échanges de bonnes pratiques / partage d’informations",
    "Reseau": "Maillage territorial - faire réseau / créer du lien",
    "Soutien": "Soutien technique et/ou organisationnel",
    "Professionnel": "Projet / Parcours professionnel",
    "RH": "Soutien RH auprès des structures",
    "Autre": "Autre thématique",
}
TYPE_EVENEMENT = {
    "GrandPublic": "Évènement grand public (Ex : Forums, salons, journées départementales, "
    "ateliers collectifs...)",
    "National": "Évènement national (Ex : NEC, ANCTour, etc...)",
    "InclusionNumerique": "Journée d’inclusion numérique (Ex : Séminaire, rencontre, "
    "intervention...)",
    "NecLocal": "NEC local",
    "Autre": "Autre",
}
ORGANISATEURS = {"MaStructure": "Ma structure (moi - même)", "Autre": "Autre"}
ECHELON_TERRITORIAL = {
    "Communal": "Communal",
    "Intercommunal": "Intercommunal",
    "Departemental": "Départemental",
    "Regional": "Régional",
    "National": "National",
}
SHEET = "Activités de coordination"
COOP_COLUMNS = [
    "Date de l’activité",
    "Type",
    "Durée (min.)",
    "Participants",
    "Médiateur·ice·s numérique·s",
    "Structure·s",
    "Autres acteur.trice.s",
    "Nom de l’évènement",
    "Type d’animation, type d’évènement, nature du partenariat",
    "Organisé par",
    "Structure·s partenaire·s (Nom)",
    "Structure·s partenaire·s (type)",
    "Échelon territorial de l’évènement ou du partenariat",
    "Qui est à l’initiative de cette intervention ?",
    "Thématique(s) d’animation",
    "Tags",
    "Notes",
    "Enregistrée le",
    "Dernière modification le",
    "ID CRA",
]
# What the Coop writes in a column that is not of the activity's type.
NOT_OF_THIS_TYPE = "/"
# The network is a town's: its events are at the communal level.
ECHELON = "Communal"

# Our kinds: (Coop type, code of its sub-type, thématique d'animation, exact equivalent).
KIND_MAP = {
    MeetingKind.STEERING: ("Animation", "Comite", "Reseau", True),
    MeetingKind.WORKING_GROUP: ("Animation", "GroupeDeTravail", "Partage", True),
    MeetingKind.COORDINATION: ("Animation", "ReunionCoordination", "Reseau", True),
    MeetingKind.WEBINAR: ("Animation", "Webinaire", "Partage", True),
    MeetingKind.TRAINING: ("Animation", "Autre", "Professionnel", False),
    MeetingKind.EVENT: ("Evenement", "Autre", None, False),
    MeetingKind.ASSISES: ("Evenement", "InclusionNumerique", None, True),
}
OUR_PREFIX = "parcours-reunion-"
MAX_DAYS = 366 * 5


def our_columns():
    """Our columns after the Coop's: what its vocabulary has no place for."""
    return [
        _("Type (Parcours numérique)"),
        _("Correspondance avec la Coop"),
        _("Titre (Parcours numérique)"),
        _("Fait partie de"),
        _("Inscrits"),
        _("Présences notées"),
        _("Structures représentées"),
        _("Décisions et engagements"),
    ]


def check_period(start, end):
    """French messages for a period one may not export."""
    if start > end:
        raise ValidationError(_("La date de début est après la date de fin."))
    if (end - start).days > MAX_DAYS:
        raise ValidationError(_("Choisissez une période de cinq ans au plus."))


def actors_for(user):
    """The actors whose part `user` may export: every one for the network admin, their own
    for a coordinator, none for anybody else."""
    if user.is_network_admin:
        return in_their_towns(Actor.objects.order_by("name"), user, "pk")
    if user.role == Role.COORDINATOR:
        return Actor.objects.filter(pk__in=user.actor_ids).order_by("name")
    return Actor.objects.none()


def may_export(user):
    return user.is_authenticated and (user.is_network_admin or user.role == Role.COORDINATOR)


class CoordinationExport:
    """The coordination activities held between `start` and `end` (dates, inclusive):
    the whole network's (actor None, the network admin only), or an actor's part: the
    meetings organised by its staff or where its staff registered."""

    def __init__(self, user, start, end, *, actor=None):
        check_period(start, end)
        if actor is None and not user.is_network_admin:
            raise ValidationError(_("Choisissez votre structure."))
        if actor is not None and not actors_for(user).filter(pk=actor.pk).exists():
            raise ValidationError(_("Vous ne pouvez pas exporter cette structure."))
        self.user, self.start, self.end, self.actor = user, start, end, actor
        self.count = 0

    @property
    def scope_label(self):
        return self.actor.name if self.actor else _("Tout le réseau")

    def meetings(self):
        zone = timezone.get_current_timezone()
        since = datetime.datetime.combine(self.start, datetime.time.min, zone)
        until = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, zone
        )
        # Those of the exporter's towns (and those for every town).
        meetings = Meeting.objects.visible_to(self.user).filter(
            starts_at__gte=since, starts_at__lt=until, ends_at__lt=timezone.now()
        )
        if self.actor is not None:
            meetings = meetings.filter(
                Q(created_by__actors=self.actor) | Q(registrations__user__actors=self.actor)
            ).distinct()
        return (
            meetings.select_related("parent", "created_by", "town")
            .prefetch_related("registrations__user__actors", "created_by__actors")
            .order_by("starts_at", "pk")
        )

    def columns(self):
        return [*COOP_COLUMNS, *our_columns()]

    def organised_by(self, meeting):
        organiser = meeting.created_by
        if organiser is None:
            return ""
        actors = list(organiser.actors.all())
        mine = (
            organiser.is_network_admin
            if self.actor is None
            else any(a.pk == self.actor.pk for a in actors)
        )
        if mine:
            return ORGANISATEURS["MaStructure"]
        name = ", ".join(a.name for a in actors) or network_name(meeting)
        return f"{ORGANISATEURS['Autre']} : {name}"

    def row(self, meeting):
        coop_type, code, theme, exact = KIND_MAP[meeting.kind]
        our_label = str(MeetingKind(meeting.kind).label)
        animation = coop_type == "Animation"
        registrations = list(meeting.registrations.all())
        present = [r for r in registrations if r.attended]
        counted = present or registrations
        structures, mediators = {}, 0
        for registration in counted:
            if registration.user_id:
                if registration.user.role == Role.MEDIATOR:
                    mediators += 1
                for actor in registration.user.actors.all():
                    structures.setdefault(actor.name.casefold(), actor.name)
            elif registration.organisation.strip():
                name = registration.organisation.strip()
                structures.setdefault(name.casefold(), name)
        names = sorted(structures.values(), key=str.casefold)
        vocabulary = TYPE_ANIMATION if animation else TYPE_EVENEMENT
        subtype = vocabulary[code]
        if code == "Autre":
            subtype = f"{subtype} : {our_label}"
        minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
        slash = NOT_OF_THIS_TYPE
        created = timezone.localtime(meeting.created_at)
        self.count += 1
        return [
            timezone.localtime(meeting.starts_at).date(),
            TYPE_ACTIVITE[coop_type],
            minutes if animation else slash,
            slash if animation else len(counted),
            mediators if animation else slash,
            len(names) if animation else slash,
            len(counted) - mediators if animation else slash,
            slash if animation else meeting.title,
            subtype,
            slash if animation else self.organised_by(meeting),
            slash,  # Partenariat only
            slash,
            slash if animation else ECHELON_TERRITORIAL[ECHELON],
            "",  # the Coop leaves it empty when not said; our calendar does not say
            THEMATIQUE_ANIMATION[theme] if animation else slash,
            "",
            meeting.minutes,
            created.strftime("%d/%m/%Y à %H:%M"),
            "",
            f"{OUR_PREFIX}{meeting.pk}",
            our_label,
            _("Équivalent dans la Coop")
            if exact
            else _("Pas d’équivalent dans la Coop : type « Autre »"),
            meeting.title,
            meeting.parent.title if meeting.parent else "",
            len(registrations),
            _("oui") if present else _("non (participants = inscrits)"),
            "\n".join(names),
            "\n".join(meeting.decision_list),
        ]

    def rows(self):
        for meeting in self.meetings():
            yield self.row(meeting)

    def about_rows(self):
        """The second sheet: the period, the scope, and what the Coop's vocabulary lacks."""
        rows = [
            [_("Activités de coordination — Parcours numérique")],
            [_("Période"), f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"],
            [_("Périmètre"), self.scope_label],
            [
                _("Source du vocabulaire"),
                "inclusion-numerique/coop-mediation-numerique @ 46aa33bd "
                "(buildActivitesCoordinationWorksheet.ts, cra/*/labels.ts)",
            ],
            [
                _("Partenariats"),
                _(
                    "Parcours numérique n'enregistre pas de partenariat (nature, structures "
                    "partenaires) : aucune ligne de type « Partenariat ». Les structures "
                    "présentes à chaque réunion sont dans la colonne « Structures "
                    "représentées »."
                ),
            ],
            [
                _("Réunions exportées"),
                _("Celles qui ont eu lieu pendant la période (terminées), ateliers compris."),
            ],
            [],
            [
                _("Type (Parcours numérique)"),
                _("Type de la Coop"),
                _("Correspondance avec la Coop"),
            ],
        ]
        for kind, (coop_type, code, _theme, exact) in KIND_MAP.items():
            vocabulary = TYPE_ANIMATION if coop_type == "Animation" else TYPE_EVENEMENT
            rows.append(
                [
                    str(MeetingKind(kind).label),
                    f"{TYPE_ACTIVITE[coop_type]} — {vocabulary[code]}",
                    _("Équivalent dans la Coop")
                    if exact
                    else _("Pas d’équivalent dans la Coop : type « Autre »"),
                ]
            )
        return rows

    def table(self):
        return [self.columns(), *self.rows()]

    def xlsx(self):
        return xlsx_bytes([(SHEET, self.table()), (_("À propos"), self.about_rows())], header=True)

    def csv(self):
        return csv_file_text(self.table())

    def filename(self, extension):
        return (
            f"parcours_activites-coordination_{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}.{extension}"
        )
