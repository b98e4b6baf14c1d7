"""What the API shows and accepts of residents, sessions, referrals and assessments.

Serializers validate and shape; learners.services writes. Lookups of what a request names
(actors, places, topics, modules, operators, residents, competences) go through
SessionChoices and one query per kind, so that a session costs the same number of queries
whatever the number of its participants."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

from learners.models import (
    Autonomy,
    BlockedReason,
    CompetenceAssessment,
    Equipment,
    Gender,
    Location,
    PaperworkResult,
    RedirectionKind,
    Referral,
    ReferralStatus,
    Resident,
    Session,
    SessionFormat,
    SocialStatus,
    WorkshopLevel,
)
from learners.writing import (
    SESSION_FIELDS,
    AssessmentInput,
    NewPerson,
    ParticipantInput,
    SessionChoices,
    SessionInput,
    session_values,
)
from pathway.models import Actor, Level, Neighbourhood, Pole
from pathway.serializers import OutputSerializer


class Pagination(PageNumberPagination):
    """Every list of the API: 50 a page by default, up to 200 with ?page_size=. (Here rather
    than in api.py, which DRF's settings cannot import before its own views exist.)"""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# Residents ------------------------------------------------------------------------------


def blank_choice(choices):
    """A read-only choice that may be empty ("" rather than a code): ModelSerializer drops
    allow_blank from read-only fields, and the schema would then forbid the empty value."""
    return serializers.ChoiceField(choices=choices.choices, allow_blank=True, read_only=True)


class ResidentSerializer(OutputSerializer):
    display_name = serializers.CharField(read_only=True)
    first_pole = blank_choice(Pole)
    neighbourhood = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    created_by_actor = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Resident
        fields = [
            "reference",
            "first_name",
            "last_name",
            "display_name",
            "birth_year",
            "neighbourhood",
            "phone",
            "email",
            "social_status",
            "sharing_consent",
            "shared_across_towns",
            "consent_at",
            "consent_version",
            "created_by_actor",
            "created_at",
            "first_session_on",
            "last_session_on",
            "first_pole",
            "necessity_on",
            "achievement_on",
            "leisure_on",
            "session_count",
        ]
        read_only_fields = fields


def birth_year_field():
    return serializers.IntegerField(
        min_value=1900,
        max_value=2100,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Année de naissance (entre 1900 et aujourd'hui)."),
    )


def check_birth_year(year):
    if year is not None and year > timezone.localdate().year:
        raise serializers.ValidationError(_("L'année de naissance ne peut pas être dans le futur."))
    return year


class ResidentWriteSerializer(serializers.Serializer):
    """A new resident, or the new details of one (PUT replaces every field, PATCH only
    those sent): `context["resident"]` is the record changed, none for a new one."""

    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    birth_year = birth_year_field()
    neighbourhood = serializers.IntegerField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    social_status = serializers.ChoiceField(
        choices=SocialStatus.choices, required=False, default=SocialStatus.NOT_STATED
    )
    consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("La personne accepte le partage de son parcours dans le réseau."),
    )
    across_towns = serializers.BooleanField(
        required=False,
        help_text=_(
            "La personne accepte aussi d'être suivie dans les villes voisines (du même "
            "territoire) ; va avec consent. Absent : false à la création, inchangé sinon "
            "(retiré avec le partage)."
        ),
    )
    actor = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "À la création : la structure qui accueille la personne (par défaut, la vôtre)."
        ),
    )
    confirm_new = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("À la création : true pour créer la fiche même si une fiche semblable existe."),
    )

    validate_birth_year = staticmethod(check_birth_year)

    def validate_actor(self, value):
        if value is None:
            return None
        actors = {a.pk: a for a in SessionChoices(self.context["request"].user).actors}
        if value not in actors:
            raise serializers.ValidationError(
                _("Choisissez une de vos structures (identifiant inconnu ou d'une autre).")
            )
        return actors[value]

    def validate(self, data):
        """The neighbourhood, among those of the record's town: the town of the actor
        holding it (a new record's: the actor named, or the user's first), as the
        record's page and the import take it. Another town's id is refused as an unknown
        one is."""
        resident = self.context.get("resident")
        if resident is None:
            user = self.context["request"].user
            data["actor"] = data.get("actor") or SessionChoices(user).default_actor()
        actor = data["actor"] if resident is None else resident.created_by_actor
        value = data.get("neighbourhood")
        if value is None or actor is None:  # no actor at all: the view says so
            return data
        data["neighbourhood"] = Neighbourhood.objects.of_town_of(actor).filter(pk=value).first()
        if data["neighbourhood"] is None:
            raise serializers.ValidationError(
                {
                    "neighbourhood": _(
                        "Quartier inconnu dans la ville de la structure d'accueil de la "
                        "personne : choisissez un des quartiers de cette ville."
                    )
                }
            )
        return data


# Sessions -------------------------------------------------------------------------------


class LevelSerializer(serializers.Serializer):
    competence = serializers.CharField(
        max_length=5, help_text=_("Code CRCN de la compétence, par exemple 1.1.")
    )
    level = serializers.IntegerField(min_value=Level.MIN, max_value=Level.MAX)


class NewResidentSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    birth_year = birth_year_field()
    neighbourhood = serializers.IntegerField(required=False, allow_null=True, default=None)
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True, default=""
    )
    social_status = serializers.ChoiceField(
        choices=SocialStatus.choices, required=False, allow_blank=True, default=""
    )
    commune = serializers.CharField(
        max_length=5,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Code INSEE de la commune de résidence."),
    )
    consent = serializers.BooleanField(required=False, default=False)
    across_towns = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("La personne accepte aussi d'être suivie dans les villes voisines."),
    )
    confirm_new = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("true pour créer la fiche même si une fiche semblable existe."),
    )

    validate_birth_year = staticmethod(check_birth_year)


class ParticipantWriteSerializer(serializers.Serializer):
    """One participant: an existing resident (`resident`, their reference) or a new one
    (`new_resident`), and the outcome."""

    resident = serializers.CharField(
        max_length=12,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Référence de la fiche, par exemple H7KQ4X9T."),
    )
    new_resident = NewResidentSerializer(required=False, allow_null=True, default=None)
    autonomy = serializers.ChoiceField(
        choices=Autonomy.choices, required=False, allow_null=True, default=None
    )
    operator = serializers.IntegerField(required=False, allow_null=True, default=None)
    paperwork_result = serializers.ChoiceField(
        choices=PaperworkResult.choices, required=False, allow_blank=True, default=""
    )
    blocked_reason = serializers.ChoiceField(
        choices=BlockedReason.choices, required=False, allow_blank=True, default=""
    )
    levels = LevelSerializer(many=True, required=False, default=list)

    def validate(self, data):
        if bool(data["resident"]) == bool(data["new_resident"]):
            raise serializers.ValidationError(
                _("Indiquez soit la référence d'une fiche (resident), soit une nouvelle personne.")
            )
        if data["paperwork_result"] == PaperworkResult.BLOCKED and not data["blocked_reason"]:
            raise serializers.ValidationError(
                {"blocked_reason": _("Indiquez ce qui bloque la démarche.")}
            )
        return data


class SessionWriteSerializer(serializers.Serializer):
    """A session and its participants, as services.session_create() and session_update()
    take them. `context` holds the request and, for an update, the session."""

    date = serializers.DateField(help_text=_("AAAA-MM-JJ (ou JJ/MM/AAAA)."))
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=Session.MAX_MINUTES)
    format = serializers.ChoiceField(
        choices=SessionFormat.choices, required=False, default=SessionFormat.INDIVIDUAL
    )
    actor = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Une de vos structures.")
    )
    location = serializers.ChoiceField(
        choices=Location.choices, required=False, default=Location.ON_SITE
    )
    place = serializers.IntegerField(required=False, allow_null=True, default=None)
    pole = serializers.ChoiceField(choices=Pole.choices)
    topics = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=50
    )
    module = serializers.IntegerField(required=False, allow_null=True, default=None)
    equipment = serializers.ListField(
        child=serializers.ChoiceField(choices=Equipment.choices), required=False, default=list
    )
    workshop_title = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    workshop_level = serializers.ChoiceField(
        choices=WorkshopLevel.choices, required=False, allow_blank=True, default=""
    )
    unregistered_count = serializers.IntegerField(
        min_value=0, max_value=500, required=False, default=0
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    procedure_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    redirected = serializers.BooleanField(required=False, allow_null=True, default=None)
    redirection_kind = serializers.ChoiceField(
        choices=RedirectionKind.choices, required=False, allow_blank=True, default=""
    )
    external_ref = serializers.CharField(
        max_length=64,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=_("Identifiant de l'activité dans un autre outil (ID CRA de la Coop)."),
    )
    participants = ParticipantWriteSerializer(
        many=True, required=False, default=list, max_length=200
    )

    def validate(self, data):
        """The request's syntax read: what it names is looked up, and every rule checked,
        by the one resolver (writing.session_save)."""
        participants = []
        for item in data["participants"]:
            new = item["new_resident"]
            participants.append(
                ParticipantInput(
                    resident=item["resident"] if new is None else NewPerson(**new),
                    autonomy=item["autonomy"],
                    operator=item["operator"],
                    paperwork_result=item["paperwork_result"],
                    blocked_reason=item["blocked_reason"],
                    levels={level["competence"]: level["level"] for level in item["levels"]},
                )
            )
        return SessionInput(
            **{name: data[name] for name in SESSION_FIELDS if name in data},
            topics=data["topics"],
            participants=participants,
        )


# Where the errors of a new person show in the API's answer.
NEW_PERSON_FIELDS = {"last_name", "birth_year", "neighbourhood", "commune", "duplicates"}


def api_errors(errors):
    """writing.SessionErrors as the API's 400 body: {"participants.0.resident": [...]}."""
    found = errors.for_api()
    for problems in found.get("participants", {}).values():
        for field in NEW_PERSON_FIELDS & set(problems):
            problems.setdefault("new_resident", []).extend(problems.pop(field))
    return serializers.ValidationError(found)


def session_as_input(session):
    """The request body that would write `session` as it is (the base of a PATCH), from
    SessionQuerySet.with_api_data(user): participants the user may not see are left out,
    as the service keeps them anyway."""
    levels = {}
    for assessment in session.assessments.all():
        levels.setdefault(assessment.resident_id, []).append(
            {"competence": assessment.competence.code, "level": assessment.level}
        )
    return {
        **session_values(session),
        "topics": [t.pk for t in session.topics.all()],
        "equipment": list(session.equipment),
        "participants": [
            {
                "resident": p.resident.reference,
                "autonomy": p.autonomy,
                "operator": p.operator_id,
                "paperwork_result": p.paperwork_result,
                "blocked_reason": p.blocked_reason,
                "levels": levels.get(p.resident_id, []),
            }
            for p in session.participations.all()
            if p.shown
        ],
    }


class ParticipationSerializer(serializers.Serializer):
    resident = serializers.CharField(
        allow_null=True,
        help_text=_(
            "Référence de la fiche ; null pour une personne qui ne partage pas (ou plus) son "
            "parcours avec votre structure : elle reste dans l'accompagnement telle quelle."
        ),
    )
    autonomy = serializers.ChoiceField(choices=Autonomy.choices, allow_null=True)
    operator = serializers.IntegerField(allow_null=True)
    paperwork_result = serializers.ChoiceField(choices=PaperworkResult.choices, allow_blank=True)
    blocked_reason = serializers.ChoiceField(choices=BlockedReason.choices, allow_blank=True)
    is_first_visit = serializers.BooleanField(
        help_text=_("Première venue de la personne dans cette structure.")
    )
    levels = LevelSerializer(many=True)


class SessionSerializer(OutputSerializer):
    topics = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    mediators = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    equipment = serializers.ListField(child=serializers.ChoiceField(choices=Equipment.choices))
    workshop_level = blank_choice(WorkshopLevel)
    redirection_kind = blank_choice(RedirectionKind)
    participants = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            *SESSION_FIELDS,
            "topics",
            "participant_count",
            "created_by",
            "mediators",
            "created_at",
            "updated_at",
            "participants",
        ]
        read_only_fields = fields

    def to_representation(self, session):
        """The same fields as the declared ones, built directly: a page of 50 sessions is
        the API's busiest answer, and DRF's field-by-field walk was most of its time."""
        values = session_values(session)
        values["date"] = session.date.isoformat()
        values["start_time"] = session.start_time.isoformat() if session.start_time else None
        values["equipment"] = list(session.equipment)
        return {
            "id": session.pk,
            **values,
            "topics": [t.pk for t in session.topics.all()],
            "participant_count": session.participant_count,
            "created_by": session.created_by_id,
            "mediators": [m.pk for m in session.mediators.all()],
            "created_at": self.fields["created_at"].to_representation(session.created_at),
            "updated_at": self.fields["updated_at"].to_representation(session.updated_at),
            "participants": self.get_participants(session),
        }

    @extend_schema_field(ParticipationSerializer(many=True))
    def get_participants(self, session):
        levels = {}
        for assessment in session.assessments.all():
            levels.setdefault(assessment.resident_id, []).append(
                {"competence": assessment.competence.code, "level": assessment.level}
            )
        return [
            {
                "resident": p.person_reference,
                "autonomy": p.autonomy,
                "operator": p.operator_id,
                "paperwork_result": p.paperwork_result,
                "blocked_reason": p.blocked_reason,
                "is_first_visit": p.is_first_visit,
                "levels": levels.get(p.resident_id, []),
            }
            for p in session.participations.all()
        ]


# Referrals ------------------------------------------------------------------------------


class ReferralSerializer(OutputSerializer):
    resident = serializers.CharField(source="resident.reference", read_only=True)
    to_pole = blank_choice(Pole)
    next_steps = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "resident",
            "from_actor",
            "to_actor",
            "to_pole",
            "reason",
            "status",
            "created_by",
            "sent_at",
            "received_at",
            "received_by",
            "seen_at",
            "closed_at",
            "next_steps",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=ReferralStatus.choices))
    )
    def get_next_steps(self, referral):
        """The statuses you may move this referral to now."""
        return [str(step) for step in referral.next_steps(self.context["request"].user)]


class ReferralWriteSerializer(serializers.Serializer):
    resident = serializers.CharField(max_length=12, help_text=_("Référence de la fiche."))
    from_actor = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Votre structure.")
    )
    to_actor = serializers.IntegerField(required=False, allow_null=True, default=None)
    to_pole = serializers.ChoiceField(
        choices=Pole.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(max_length=1000)
    consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("La personne accepte maintenant le partage de son parcours."),
    )
    across_towns = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "La personne accepte maintenant d'être suivie dans les villes voisines (du même "
            "territoire) : nécessaire pour l'orienter vers une structure d'une ville voisine."
        ),
    )

    def validate(self, data):
        user = self.context["request"].user
        errors = {}
        resident = (
            Resident.objects.visible_to(user)
            .filter(reference=data["resident"].strip().upper())
            .first()
        )
        if resident is None:
            errors["resident"] = [_("Aucune fiche accessible n'a cette référence.")]
        choices = SessionChoices(user)
        own = SessionChoices.by_pk(choices.actors)
        from_actor = own.get(data["from_actor"]) if data["from_actor"] else None
        if data["from_actor"] is None:
            from_actor = choices.default_actor()
        if from_actor is None:
            errors["from_actor"] = [_("Choisissez une de vos structures.")]
        to_actor = None
        if data["to_actor"] is not None:
            to_actor = Actor.objects.active().filter(pk=data["to_actor"]).first()
            if to_actor is None:
                errors["to_actor"] = [_("Structure inconnue ou inactive.")]
        if errors:
            raise serializers.ValidationError(errors)
        return {**data, "resident": resident, "from_actor": from_actor, "to_actor": to_actor}


class ReferralStepSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (ReferralStatus.RECEIVED, ReferralStatus.SEEN, ReferralStatus.CLOSED)
        ]
    )


# Competence assessments -----------------------------------------------------------------


class AssessmentSerializer(OutputSerializer):
    resident = serializers.CharField(source="resident.reference", read_only=True)
    competence = serializers.CharField(source="competence.code", read_only=True)

    class Meta:
        model = CompetenceAssessment
        fields = ["id", "resident", "competence", "level", "assessed_on", "assessed_by", "session"]
        read_only_fields = fields


class AssessmentWriteSerializer(serializers.Serializer):
    """Reads the JSON only; the rules are the write path's (writing.assessments)."""

    resident = serializers.CharField(max_length=12, help_text=_("Référence de la fiche."))
    competence = serializers.CharField(max_length=5, help_text=_("Code CRCN, par exemple 4.2."))
    level = serializers.IntegerField(help_text=_("Niveau atteint, de 1 à 8."))
    assessed_on = serializers.DateField(
        required=False, default=None, allow_null=True, help_text=_("Par défaut : aujourd'hui.")
    )

    def to_input(self):
        return AssessmentInput(**self.validated_data)
