"""The Coop's accompaniments file (coop-activites.md §1b) from our sessions: one row per
accompagnement (a participant of a session, registered or not), XLSX or CSV.

Read with .values() a few thousand sessions at a time (a handful of queries per batch),
so that 100,000 rows go out in seconds."""

import io
from itertools import batched

import openpyxl
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from learners.models import (
    Participation,
    Session,
    SessionFormat,
    SocialStatus,
    User,
    age_band,
)
from pathway.models import Actor, Place
from pathway.permissions import in_town_of, town_actors, towns_meet
from pathway.spreadsheets import csv_file_text, xlsx_cell
from stats.coop import vocabulary as v
from stats.coop.mapping import Mapping
from stats.models import CoopMappingKind as Kind

STATUT = {
    SocialStatus.RETIRED: "Retraite",
    SocialStatus.JOB_SEEKER: "SansEmploi",
    SocialStatus.EMPLOYED: "EnEmploi",
    SocialStatus.IN_SCHOOL: "Scolarise",
    SocialStatus.NOT_STATED: "NonCommunique",
}
GENRE = {"male": "Masculin", "female": "Feminin", "not_stated": "NonCommunique"}
TRANCHE = {
    "under_12": "MoinsDeDouze",
    "12_17": "DouzeDixHuit",
    "18_24": "DixHuitVingtQuatre",
    "25_39": "VingtCinqTrenteNeuf",
    "40_59": "QuaranteCinquanteNeuf",
    "60_69": "SoixanteSoixanteNeuf",
    "70_plus": "SoixanteDixPlus",
    "not_stated": "NonCommunique",
}
THEMATIQUE_ORDER = {code: rank for rank, code in enumerate(v.THEMATIQUE)}
OUR_PREFIX = "parcours-"
BATCH = 2000
DATE_FORMAT = "DD/MM/YYYY"


def cra_id(session_id, external_ref):
    """The ID CRA of a session: the Coop's own when it came from there, else ours."""
    return external_ref or f"{OUR_PREFIX}{session_id}"


class Scope:
    """Whose sessions: a mediator's own, an actor's, or the network's; 404 for a scope the
    user may not export."""

    def __init__(self, user, *, mediator=None, actor=None):
        self.user = user
        if mediator is not None:
            if mediator != user and not (
                (user.is_network_admin and towns_meet(user, mediator))
                or set(mediator.actor_ids) & set(user.actor_ids)
                and user.role == "coordinator"
            ):
                raise Http404
            self.condition, self.own = Q(created_by=mediator), mediator == user
            self.label = mediator.get_full_name() or mediator.username
        elif actor is not None:
            if not (
                (user.is_network_admin and in_town_of(user, actor.pk))
                or (user.role == "coordinator" and actor.pk in user.actor_ids)
            ):
                raise Http404
            self.condition, self.own, self.label = Q(actor=actor), False, actor.name
        else:
            if not user.is_network_admin:
                raise Http404
            actors = town_actors(user)
            self.condition = Q() if actors is None else Q(actor__in=actors)
            self.own, self.label = False, _("réseau")

    @classmethod
    def parse(cls, user, *, mediator=None, actor=None):
        if mediator:
            found = User.objects.filter(username=mediator).first()
            if found is None:
                raise Http404
            return cls(user, mediator=found)
        if actor:
            found = Actor.objects.filter(pk=actor).first() if str(actor).isdigit() else None
            if found is None:
                raise Http404
            return cls(user, actor=found)
        if user.is_network_admin:
            return cls(user)
        return cls(user, mediator=user)


SESSION_VALUES = [
    "id",
    "date",
    "created_at",
    "updated_at",
    "created_by_id",
    "format",
    "location",
    "place_id",
    "pole",
    "duration_minutes",
    "workshop_title",
    "workshop_level",
    "unregistered_count",
    "equipment",
    "procedure_name",
    "redirected",
    "redirection_kind",
    "notes",
    "external_ref",
    "anonymous_participants",
]
RESIDENT_VALUES = [
    "first_name",
    "last_name",
    "reference",
    "erased_at",
    "birth_year",
    "gender",
    "social_status",
    "commune_insee",
    "commune_postcode",
    "commune_name",
]


def stars(code, scale):
    return f"{scale[code]}/3" if code in scale else ""


def local_date(moment):
    return timezone.localtime(moment).date() if moment else None


class CoopExport:
    """The rows of the Coop's file for `scope` between `start` and `end` (dates)."""

    def __init__(self, scope, start, end):
        self.scope, self.start, self.end = scope, start, end
        self.mapping = Mapping()
        self.columns = v.columns(own=scope.own)
        self.unmapped = {}  # label of a value without code: number of sessions
        self.count = 0
        self.references = []  # the residents whose names the file holds (the journal)

    def sessions(self):
        return (
            Session.objects.visible_to(self.scope.user)
            .filter(self.scope.condition, date__gte=self.start, date__lte=self.end)
            .order_by("date", "id")
        )

    def note_unmapped(self, label):
        self.unmapped[label] = self.unmapped.get(label, 0) + 1

    def rows(self):
        """The table's rows (lists of cell values), without the header."""
        own = self.scope.own
        places = {p.pk: p for p in Place.objects.all()}
        users = {}
        ids = list(self.sessions().values_list("id", flat=True))
        for chunk in batched(ids, BATCH):
            sessions = list(
                Session.objects.filter(pk__in=chunk).order_by("date", "id").values(*SESSION_VALUES)
            )
            topics = {}
            for session_id, topic_id in Session.topics.through.objects.filter(
                session_id__in=chunk
            ).values_list("session_id", "topic_id"):
                topics.setdefault(session_id, []).append(topic_id)
            participants = {}
            for p in (
                Participation.objects.filter(session_id__in=chunk)
                .with_shown(self.scope.user)
                .order_by("id")
                .values(
                    "session_id",
                    "autonomy",
                    "operator_id",
                    "shown",
                    *(f"resident__{n}" for n in RESIDENT_VALUES),
                )
            ):
                participants.setdefault(p["session_id"], []).append(p)
            missing = {s["created_by_id"] for s in sessions} - users.keys()
            if missing and not own:
                users |= {u.pk: u for u in User.objects.filter(pk__in=missing)}
            for session in sessions:
                yield from self.session_rows(
                    session,
                    topics.get(session["id"], []),
                    participants.get(session["id"], []),
                    places,
                    users,
                )

    def session_rows(self, s, topic_ids, participants, places, users):
        mapping, own = self.mapping, self.scope.own
        collective = s["format"] == SessionFormat.COLLECTIVE
        codes = set()
        for topic_id in topic_ids:
            code = mapping.code(Kind.TOPIC, topic_id)
            if code:
                codes.add(code)
            else:
                self.note_unmapped(
                    _("thématique « %(name)s »") % {"name": mapping.topic_names.get(topic_id)}
                )
        for p in participants:
            if p["operator_id"] and (code := mapping.code(Kind.OPERATOR, p["operator_id"])):
                codes.add(code)
        if not codes and (code := mapping.code(Kind.POLE, s["pole"])):
            codes.add(code)
        themes = ", ".join(
            v.THEMATIQUE[c] for c in sorted(codes, key=THEMATIQUE_ORDER.get) if c in v.THEMATIQUE
        )
        lieu = mapping.code(Kind.LOCATION, s["location"])
        place = places.get(s["place_id"])
        materiel = []
        for item in s["equipment"] or []:
            code = mapping.code(Kind.EQUIPMENT, item)
            if code and v.MATERIEL[code] not in materiel:
                materiel.append(v.MATERIEL[code])
        redirection = (
            mapping.code(Kind.REDIRECTION, s["redirection_kind"]) if s["redirection_kind"] else ""
        )
        level = ""
        if collective and s["workshop_level"]:
            level = stars(mapping.code(Kind.WORKSHOP_LEVEL, s["workshop_level"]), v.NIVEAU_STARS)
        common_start = [s["date"], local_date(s["created_at"]), local_date(s["updated_at"])]
        if not own:
            user = users.get(s["created_by_id"])
            common_start += [
                user.first_name if user else "",
                user.last_name if user else "",
                v.ROLE_MEDIATEUR,
                "",
            ]
        type_label = v.TYPE_ACTIVITE["Collectif" if collective else "Individuel"]
        place_cells = [
            mapping.code(Kind.PLACE, place.pk) if place else "",
            place.address if place else "",
            place.city if place else "",
            place.postcode if place else "",
            place.insee_code if place else "",
        ]
        middle = [
            s["duration_minutes"],
            s["workshop_title"],
            ", ".join(materiel),
            themes,
            "",
            s["procedure_name"],
        ]
        after_level = [
            "" if s["redirected"] is None else (v.YES if s["redirected"] else v.NO),
            v.STRUCTURE_REDIRECTION.get(redirection, ""),
        ]
        ident = cra_id(s["id"], s["external_ref"])
        anonymous = list(s["anonymous_participants"] or [])[: s["unregistered_count"]]
        anonymous += [{}] * (s["unregistered_count"] - len(anonymous))
        people = [*participants, *anonymous]
        total = len(people)
        for index, p in enumerate(people, 1):
            if "session_id" not in p:  # a participant without a record
                p = (
                    {"autonomy": p.get("autonomy"), "shown": True, "anonymous": True}
                    | {f"resident__{n}": p.get(n) for n in RESIDENT_VALUES}
                    | {"resident__age_band": p.get("age_band")}
                )
            shown = p["shown"]
            r = {n: p[f"resident__{n}"] for n in RESIDENT_VALUES} if shown else {}
            name = ""
            if shown and own and not r.get("erased_at") and not p.get("anonymous"):
                name = f"{r.get('first_name')} {r.get('last_name')}".strip()
                self.references.append(r.get("reference"))
            autonomy = level
            if not collective and p["autonomy"]:
                autonomy = stars(mapping.code(Kind.AUTONOMY, p["autonomy"]), v.AUTONOMIE_STARS)
            row = [
                *common_start,
                type_label,
                "1" if total == 1 else f"{index}/{total}",
                *([name] if own else []),
                v.TYPE_LIEU.get(lieu, ""),
                *place_cells,
                *middle,
                autonomy,
                *after_level,
                r.get("commune_name") or "",
                r.get("commune_postcode") or "",
                r.get("commune_insee") or "",
                v.GENRE[GENRE.get(r.get("gender"), "NonCommunique")],
                v.TRANCHE_AGE[
                    TRANCHE[p.get("resident__age_band") or age_band(r.get("birth_year"), s["date"])]
                ],
                v.STATUT_SOCIAL[STATUT.get(r.get("social_status"), "NonCommunique")],
                *([s["notes"]] if own else []),
                ident,
            ]
            self.count += 1
            yield row

    def title_rows(self):
        """What the Coop writes above its table: the file's title and filters."""
        return [
            ["Accompagnements — Parcours numérique"],
            [f"Période : du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"],
            [f"Médiateur ou structure : {self.scope.label}"],
            [],
        ]

    def xlsx(self):
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(v.SHEET)
        for row in self.title_rows():
            sheet.append([xlsx_cell(sheet, c) for c in row])
        sheet.append([xlsx_cell(sheet, c, bold=True) for c in self.columns])
        date_columns = {0, 1, 2}
        for row in self.rows():
            cells = []
            for index, value in enumerate(row):
                if index in date_columns and value is not None:
                    cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
                    cell.number_format = DATE_FORMAT
                    cells.append(cell)
                else:
                    cells.append(xlsx_cell(sheet, value))
            sheet.append(cells)
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()

    def csv(self):
        return csv_file_text([self.columns, *self.rows()])

    def filename(self, extension):
        return (
            f"coop-numerique_accompagnements_{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}.{extension}"
        )
