"""The one resolver: looks up what an input names, applies every default and rule."""

import dataclasses

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from learners.models import (
    CompetenceAssessment,
    Gender,
    Location,
    PaperworkResult,
    Participation,
    Resident,
    Session,
    SessionFormat,
    SocialStatus,
    resident_visibility,
)
from learners.writing.choices import SessionChoices, is_record
from learners.writing.inputs import (
    SESSION_FIELDS,
    NewPerson,
    ParticipantInput,
    Problems,
    SessionDraft,
    SessionErrors,
)
from learners.writing.rules import date_problems, level_problem
from pathway import communes
from pathway.models import (
    Pole,
)

# The resolver ---------------------------------------------------------------------------


def default_operator(topics):
    """The operator of the paperwork topics named, when there is exactly one."""
    operators = {t.operator_id for t in topics if t.operator_id}
    return operators.pop() if len(operators) == 1 else None


def new_person_problems(person, *, user, add):
    """The rules of a new record, one place for the session paths, the resident page and
    the API: a first name needs a last name, a birth year is not in the future, and a
    likely duplicate (Resident.likely_duplicates) is proposed unless the person was
    confirmed as new. `add(field, message)`; returns the likely duplicates."""
    first, last = person.first_name.strip(), person.last_name.strip()
    if first and not last:
        add(
            "last_name",
            _("Nom manquant : indiquez le nom de famille de %(first)s.") % {"first": first},
        )
    if person.birth_year is not None and person.birth_year > timezone.localdate().year:
        add("birth_year", _("L'année de naissance ne peut pas être dans le futur."))
    if person.confirm_new or not (first or last):
        return []
    return list(
        Resident.objects.visible_to(user)
        .likely_duplicates(first_name=first, last_name=last, birth_year=person.birth_year)
        .select_related("neighbourhood", "created_by_actor")[:5]
    )


class SessionResolver:
    """Checks SessionInputs for `user` and turns them into SessionDrafts. One instance
    serves a request, or a whole import (every list is read once)."""

    def __init__(self, user, *, today=None, choices=None):
        self.user = user
        self.today = today or timezone.localdate()
        self.choices = choices or SessionChoices(user)

    def resolve(self, data, *, session=None):
        """The draft of `data` (replacing `session` if given); raises SessionErrors."""
        [result] = self.resolve_many([(data, session)])
        if isinstance(result, SessionErrors):
            raise result
        return result

    def resolve_many(self, items):
        """[(SessionInput, session or None)] → [SessionDraft or SessionErrors], residents
        looked up for all of them at once."""
        named = [
            p.resident
            for data, _session in items
            for p in data.participants
            if isinstance(p.resident, int | str)
        ]
        residents = self.choices.residents(named) if named else {}
        changed = [session.pk for _data, session in items if session is not None]
        hidden = hidden_outcomes(changed, by=self.user) if changed else {}
        results = []
        for data, session in items:
            try:
                draft = self._resolve(data, session, residents)
                if session is not None:
                    draft.outcomes = with_hidden(
                        draft.outcomes, adapt_hidden(hidden.get(session.pk, []), draft.fields)
                    )
                    self.check_rules(draft)
                results.append(draft)
            except SessionErrors as errors:
                results.append(errors)
        return results

    def _resolve(self, data, session, residents):
        problems, choices = Problems(), self.choices
        add = problems.add
        fields = {name: getattr(data, name) for name in SESSION_FIELDS}
        pole = fields["pole"]
        fields["format"] = fields["format"] or SessionFormat.INDIVIDUAL
        fields["location"] = fields["location"] or Location.ON_SITE
        fields["unregistered_count"] = fields["unregistered_count"] or 0
        fields["equipment"] = list(fields["equipment"] or [])
        for name in ("workshop_title", "workshop_level", "notes", "procedure_name"):
            fields[name] = fields[name] or ""
        fields["redirection_kind"] = fields["redirection_kind"] or ""
        if fields["redirection_kind"] and fields["redirected"] is None:
            fields["redirected"] = True
        if fields["anonymous_participants"] is None:
            fields["anonymous_participants"] = (
                session.anonymous_participants if session is not None else []
            )
        fields["unregistered_count"] = max(
            fields["unregistered_count"], len(fields["anonymous_participants"])
        )
        if fields["external_ref"] is None:
            fields["external_ref"] = session.external_ref if session is not None else ""
        if fields["redirection_kind"] and fields["redirected"] is False:
            add(
                "redirection_kind",
                _("La structure de réorientation va avec une personne réorientée."),
            )
        if fields["date"] is None:
            add("date", _("Indiquez la date."))
        if fields["duration_minutes"] is None:
            add("duration_minutes", _("Indiquez la durée en minutes."))
        if not pole:
            add("pole", _("Choisissez le pôle."))

        if data.actor is None:
            actor = choices.actor_of_place(data.place) or choices.default_actor()
            if actor is None:
                add("actor", _("Votre compte n'est rattaché à aucune structure."))
        else:
            actor = choices.find("actors", data.actor)
            if actor is None:
                add("actor", self.unknown("actor", data.actor))
        fields["actor"] = actor
        place = None
        if data.place not in (None, "") and actor is not None:
            place = choices.place(actor, data.place)
            if place is None:
                add("place", self.unknown("place", data.place, actor=actor))
        fields["place"] = place

        topics, unknown = [], []
        for value in dict.fromkeys(data.topics):
            topic = choices.topic(pole, value)
            if topic is None:
                unknown.append(value)
            elif topic not in topics:
                topics.append(topic)
        if unknown:
            add("topics", self.unknown("topics", unknown))
        elif pole and (wrong := [t.name for t in topics if t.pole != pole]):
            add(
                "topics",
                _("Ces thématiques ne vont pas avec le pôle choisi : %(topics)s.")
                % {"topics": ", ".join(wrong)},
            )
        module = None
        if data.module not in (None, ""):
            module = choices.find("modules", data.module)
            if module is None:
                add("module", self.unknown("module", data.module))
        fields["module"] = module

        targets = {}
        for target in module.targets.all() if module else ():
            targets[target.competence_id] = targets[target.competence.code] = target.competence
        operator_default = default_operator(topics) if pole == Pole.NECESSITY else None
        outcomes = []
        for index, participant in enumerate(data.participants):
            outcome = self.participant(
                participant, index, residents, targets, operator_default, problems
            )
            if outcome is not None:
                outcomes.append(outcome)
        problems.raise_if_any()
        draft = SessionDraft(
            fields=fields,
            topics=topics,
            outcomes=outcomes,
            session=session,
            submission_key=data.submission_key,
        )
        if session is None:
            self.check_rules(draft)
        return draft

    def participant(self, participant, index, residents, targets, operator_default, problems):
        def add(field, message):
            problems.add(field, message, index=index)

        value = participant.resident
        if isinstance(value, NewPerson):
            resident, alike = self.new_resident(value, add)
            if alike:
                problems.duplicates[index] = alike
        elif is_record(value):
            resident = value
        else:
            key = value.strip().upper() if isinstance(value, str) else value
            resident = residents.get(key)
            if resident is None:
                add("resident", self.unknown("resident", value))
        operator = participant.operator
        if operator not in (None, ""):
            operator = self.choices.find("operators", operator)
            if operator is None:
                add("operator", self.unknown("operator", participant.operator))
        else:
            operator = None
        if operator is None and operator_default is not None:
            operator = self.choices.find("operators", operator_default)
        if participant.paperwork_result == PaperworkResult.BLOCKED and not (
            participant.blocked_reason
        ):
            add("blocked_reason", _("Indiquez ce qui bloque la démarche."))
        levels = {}
        for competence, level in participant.levels.items():
            key = (
                competence if isinstance(competence, str) else getattr(competence, "pk", competence)
            )
            found = targets.get(key)
            if found is None:
                code = (
                    competence
                    if isinstance(competence, str)
                    else getattr(competence, "code", competence)
                )
                add(
                    "levels",
                    _("La compétence %(code)s ne fait pas partie du module choisi.")
                    % {"code": code},
                )
            elif level_problem(level):
                add("levels", level_problem(level))
            else:
                levels[found] = level
        if resident is None:
            return None
        return ParticipantInput(
            resident=resident,
            autonomy=participant.autonomy,
            operator=operator,
            paperwork_result=participant.paperwork_result or "",
            blocked_reason=participant.blocked_reason or "",
            levels=levels,
        )

    def new_resident(self, person, add):
        neighbourhood = None
        if person.neighbourhood not in (None, ""):
            neighbourhood = self.choices.find("neighbourhoods", person.neighbourhood)
            if neighbourhood is None:
                add("neighbourhood", _("Quartier inconnu."))
        commune = person.commune or None
        if commune is not None and not isinstance(commune, communes.Commune):
            commune = communes.get(str(commune))
            if commune is None:
                add(
                    "commune",
                    _("Code INSEE de commune inconnu : %(code)s.") % {"code": person.commune},
                )
        if not person.first_name.strip() and not person.last_name.strip():
            # A participant is someone: an anonymous record is made on the resident page.
            add(
                "new_resident",
                _("Indiquez au moins le nom ou le prénom de la nouvelle personne."),
            )
        alike = new_person_problems(person, user=self.user, add=add)
        if alike:
            add(
                "duplicates",
                _(
                    "Cette personne a peut-être déjà une fiche (%(references)s). Choisissez-la, "
                    "ou confirmez qu'il s'agit d'une autre personne."
                )
                % {"references": ", ".join(r.reference for r in alike)},
            )
            return None, alike
        resident = Resident(
            first_name=person.first_name.strip(),
            last_name=person.last_name.strip(),
            birth_year=person.birth_year,
            neighbourhood=neighbourhood,
            gender=person.gender or Gender.NOT_STATED,
            social_status=person.social_status or SocialStatus.NOT_STATED,
            commune_insee=commune.insee if commune else "",
            commune_postcode=commune.postcode if commune else "",
            commune_name=commune.name if commune else "",
        )
        try:
            resident.record_consent(sharing=person.consent, across_towns=person.across_towns)
        except ValidationError as error:
            for message in error.messages:
                add("across_towns", message)
        return resident, []

    @staticmethod
    def unknown(kind, value, *, actor=None):
        """The message for something named that the user may not pick."""
        by_name = isinstance(value, str) or (
            isinstance(value, list) and any(isinstance(v, str) for v in value)
        )
        if kind == "actor":
            if by_name:
                return _("« %(value)s » n'est pas une de vos structures (nom ou SIRET)") % {
                    "value": value
                }
            return _("Choisissez une de vos structures (identifiant inconnu).")
        if kind == "place":
            if by_name:
                return _("« %(value)s » n'est pas un lieu de %(actor)s") % {
                    "value": value,
                    "actor": actor.name,
                }
            return _("Ce lieu n'est pas un lieu actif de la structure choisie.")
        if kind == "topics":
            if by_name:
                return _("Thématiques inconnues : %(names)s.") % {
                    "names": ", ".join(f"« {v} »" for v in value)
                }
            return _("Thématiques inconnues : %(ids)s.") % {"ids": value}
        if kind == "module":
            if by_name:
                return _("Module inconnu ou d'une autre structure : « %(value)s ».") % {
                    "value": value
                }
            return _("Module inconnu, inactif ou d'une autre structure.")
        if kind == "operator":
            if by_name:
                return _("Organisme inconnu « %(value)s ».") % {"value": value}
            return _("Organisme inconnu.")
        if kind == "resident":
            if isinstance(value, str):
                return _("Aucune fiche accessible n'a la référence « %(reference)s ».") % {
                    "reference": value
                }
            return _(
                "Une des personnes ajoutées n'existe pas ou ne vous est pas accessible. Rien "
                "n'a été enregistré : retirez-la et cherchez-la à nouveau."
            )
        raise ValueError(kind)

    def check_rules(self, draft):
        """The rules between the fields of a session and its participants (the lookups
        done). Raises SessionErrors with messages not tied to one field."""
        fields, outcomes = draft.fields, draft.outcomes
        errors = []
        errors += date_problems(fields["date"], today=self.today)
        if not 0 < fields["duration_minutes"] <= Session.MAX_MINUTES:
            errors.append(_("La durée doit être comprise entre 1 minute et 12 heures."))
        place, actor = fields["place"], fields["actor"]
        if place is not None and (
            place.actor_id != actor.pk or fields["location"] != Location.ON_SITE
        ):
            errors.append(_("Le lieu choisi n'est pas un lieu de cette structure."))
        if fields["module"] is not None and fields["pole"] != Pole.ACHIEVEMENT:
            errors.append(_("Un module de formation ne va qu'avec le pôle accomplissement."))
        if fields["format"] != SessionFormat.COLLECTIVE and (
            fields["workshop_level"]
            or (fields["unregistered_count"] and not fields["anonymous_participants"])
        ):
            # People without a record in an individual session come only from another
            # tool's report (the Coop's beneficiaries without a name).
            errors.append(
                _("Le niveau et les participants non inscrits vont avec un atelier collectif.")
            )
        if not outcomes and not fields["unregistered_count"]:
            errors.append(
                _("Ajoutez au moins une personne, ou le nombre de participants non inscrits.")
            )
        seen = set()
        for outcome in outcomes:
            resident = outcome.resident
            key = resident.pk or id(resident)
            if key in seen:
                errors.append(
                    _("%(name)s figure deux fois dans la liste des participants.")
                    % {"name": resident.display_name}
                )
            seen.add(key)
            if fields["pole"] != Pole.NECESSITY and (outcome.paperwork_result or outcome.operator):
                errors.append(_("Le résultat d'une démarche va avec le pôle nécessité."))
            if outcome.blocked_reason and outcome.paperwork_result != PaperworkResult.BLOCKED:
                errors.append(_("La raison du blocage va avec une démarche bloquée."))
            if outcome.autonomy is not None and outcome.autonomy not in (1, 2, 3):
                errors.append(_("L'autonomie est 1, 2 ou 3."))
        if errors:
            raise SessionErrors({NON_FIELD_ERRORS: list(dict.fromkeys(map(str, errors)))})


def hidden_outcomes(sessions, *, by):
    """The participants of these sessions (ids) whom `by` may not see — a resident of
    another actor who withdrew their consent to sharing — as ParticipantInputs to write back
    as they are, {session id: [...]}: nobody changes or removes a person they cannot see,
    and the session's figures stay whole. The resolver adds them to every session it
    changes (adapt_hidden). Two queries."""
    condition = resident_visibility(by, "resident__")
    hidden = Participation.objects.filter(session_id__in=sessions).select_related(
        "resident", "operator"
    )
    if condition is not None:
        hidden = hidden.exclude(condition)
    hidden = list(hidden.order_by("id"))
    if not hidden:
        return {}
    levels = {}
    for assessment in CompetenceAssessment.objects.filter(
        session_id__in={p.session_id for p in hidden},
        resident_id__in={p.resident_id for p in hidden},
    ).select_related("competence"):
        levels.setdefault((assessment.session_id, assessment.resident_id), {})[
            assessment.competence
        ] = assessment.level
    found = {}
    for participation in hidden:
        found.setdefault(participation.session_id, []).append(
            ParticipantInput(
                resident=participation.resident,
                autonomy=participation.autonomy,
                operator=participation.operator,
                paperwork_result=participation.paperwork_result,
                blocked_reason=participation.blocked_reason,
                levels=levels.get((participation.session_id, participation.resident_id), {}),
            )
        )
    return found


def adapt_hidden(outcomes, fields):
    """Hidden participants (services.hidden_outcomes) adapted to a session's new fields:
    no paperwork outcome outside the necessity pole, no level the new module lacks."""
    necessity = fields["pole"] == Pole.NECESSITY
    module = fields["module"]
    targets = {t.competence_id for t in module.targets.all()} if module else set()
    return [
        dataclasses.replace(
            o,
            operator=o.operator if necessity else None,
            paperwork_result=o.paperwork_result if necessity else "",
            blocked_reason=o.blocked_reason if necessity else "",
            levels={c: level for c, level in o.levels.items() if c.pk in targets},
        )
        for o in outcomes
    ]


def with_hidden(outcomes, hidden):
    """`outcomes` and the hidden participants they do not already name."""
    named = {o.resident.pk for o in outcomes if o.resident.pk}
    return [*outcomes, *(o for o in hidden if o.resident.pk not in named)]
