import copy
import uuid
from functools import cached_property

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.models import (
    ACROSS_TOWNS_TEXT,
    CONSENT_TEXTS,
    CURRENT_CONSENT_VERSION,
    Autonomy,
    BlockedReason,
    Equipment,
    Gender,
    Location,
    PaperworkResult,
    RedirectionKind,
    Resident,
    SessionFormat,
    SocialStatus,
    TokenScope,
    User,
    WorkshopLevel,
    resident_visibility,
)
from learners.writing import (
    SESSION_FIELDS,
    NewPerson,
    ParticipantInput,
    SessionInput,
)
from pathway import communes
from pathway.models import (
    Actor,
    Level,
    Neighbourhood,
    Pole,
)
from pathway.permissions import in_their_towns
from pathway.sorting import Alphabetical


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Identifiant ou mot de passe incorrect. Vérifiez les majuscules, puis réessayez."
        ),
        "inactive": _("Ce compte est désactivé. Contactez la coordination du réseau."),
    }


class SecondFactorForm(forms.Form):
    """The six-digit code of the person's authenticator app."""

    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        help_text=_("Ouvrez votre application d'authentification et tapez le code affiché."),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit() or not self.device.verify_token(code):
            raise forms.ValidationError(
                _(
                    "Ce code ne convient pas. Vérifiez l'heure de votre téléphone, puis tapez le "
                    "nouveau code."
                )
            )
        return code


def consent_label():
    return CONSENT_TEXTS[CURRENT_CONSENT_VERSION]


def across_towns_field():
    """Consent to being followed in the neighbouring towns, beside consent to sharing:
    offered only where the person's town shares a territory with other towns."""
    return forms.BooleanField(
        label=_("La personne accepte d'être suivie dans les villes voisines"),
        help_text=ACROSS_TOWNS_TEXT,
        required=False,
    )


# Logging a session ----------------------------------------------------------------------


DURATION_PRESETS = [15, 30, 45, 60, 90, 120]
OTHER = "other"


def duration_label(minutes):
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


class SessionForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Heure de début"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration = forms.ChoiceField(
        label=_("Durée"),
        choices=[(str(m), duration_label(m)) for m in DURATION_PRESETS]
        + [(OTHER, _("Autre durée"))],
        widget=forms.RadioSelect,
        initial="60",
    )
    duration_other = forms.IntegerField(
        label=_("Autre durée, en minutes"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 720}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=SessionFormat.choices,
        widget=forms.RadioSelect,
        initial=SessionFormat.INDIVIDUAL,
    )
    actor = forms.TypedChoiceField(label=_("Structure"), coerce=int)
    location = forms.ChoiceField(
        label=_("Où"), choices=Location.choices, widget=forms.RadioSelect, initial=Location.ON_SITE
    )
    place = forms.TypedChoiceField(label=_("Lieu"), coerce=int, required=False, empty_value=None)
    pole = forms.ChoiceField(label=_("Pôle"), choices=Pole.choices, widget=forms.RadioSelect)
    topics = forms.TypedMultipleChoiceField(label=_("Thématiques"), coerce=int, required=False)
    module = forms.TypedChoiceField(
        label=_("Module de formation"), coerce=int, required=False, empty_value=None
    )
    equipment = forms.MultipleChoiceField(
        label=_("Matériel utilisé"),
        choices=Equipment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    workshop_title = forms.CharField(label=_("Titre de l'atelier"), max_length=150, required=False)
    workshop_level = forms.ChoiceField(
        label=_("Niveau de l'atelier"),
        choices=[("", _("Non précisé"))] + WorkshopLevel.choices,
        required=False,
    )
    unregistered_count = forms.IntegerField(
        label=_("Participants non inscrits"),
        help_text=_("Personnes venues à l'atelier sans fiche à leur nom."),
        min_value=0,
        max_value=500,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        help_text=_("Pas d'information sur la santé, l'origine ou la religion."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    procedure_name = forms.CharField(
        label=_("Nom de la démarche administrative"),
        help_text=_("Par exemple : demande de carte grise, déclaration de revenus."),
        max_length=150,
        required=False,
    )
    redirected = forms.TypedChoiceField(
        label=_("Personne réorientée vers une autre structure"),
        choices=[("", _("Non renseigné")), ("yes", _("Oui")), ("no", _("Non"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    redirection_kind = forms.ChoiceField(
        label=_("Réorientée vers"),
        choices=[("", _("Non précisé")), *RedirectionKind.choices],
        required=False,
    )
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices, self.today = choices, today
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        # Each list is read from the database only when the page is shown or a value is
        # posted (no topic nor module named: those lists are not read).
        self.fields["actor"].choices = lambda: [(a.pk, a.name) for a in choices.actors]
        self.fields["place"].choices = lambda: (
            [("", _("Choisir un lieu"))] + [(p.pk, p.name) for p in choices.places]
        )
        self.fields["topics"].choices = lambda: [(t.pk, t.name) for t in choices.topics]
        self.fields["module"].choices = lambda: (
            [("", _("Aucun module"))] + [(m.pk, m.name) for m in choices.modules]
        )

    def clean(self):
        """The page's own syntax: a duration chosen or typed, fields shown only for some
        choices (the place on site, the module in the accomplishment pole, the level and
        unregistered participants of a workshop) left out when hidden. What the fields
        name, and every rule, are checked by the resolver (learners.writing)."""
        data = super().clean()
        if data.get("duration") == OTHER:
            minutes = data.get("duration_other")
            if minutes is None:
                self.add_error("duration_other", _("Indiquez la durée en minutes."))
            else:
                data["duration_minutes"] = minutes
        elif data.get("duration"):
            data["duration_minutes"] = int(data["duration"])
        if data.get("location") != Location.ON_SITE:
            data["place"] = None
        if data.get("pole") != Pole.ACHIEVEMENT:
            data["module"] = None
        if data.get("format") != SessionFormat.COLLECTIVE:
            data["workshop_level"], data["unregistered_count"] = "", 0
        data["unregistered_count"] = data.get("unregistered_count") or 0
        return data

    def session_input(self, participants):
        """The cleaned values, as writing.session_save() takes them."""
        data = self.cleaned_data
        return SessionInput(
            **{name: data[name] for name in SESSION_FIELDS if name in data},
            topics=data.get("topics", []),
            participants=participants,
            submission_key=data.get("submission_key"),
        )

    def attach(self, errors):
        """writing.SessionErrors of the session's own fields, on the page."""
        for field, messages in errors.fields.items():
            self.add_error(field if field in self.fields else None, messages)

    def topic_groups(self):
        """Topics by pole, with whether each is ticked, for the page to show them by pole."""
        ticked = {str(v) for v in (self["topics"].value() or [])}
        return [
            (
                pole,
                [(t, str(t.pk) in ticked) for t in self.choices.topics if t.pole == pole],
            )
            for pole in Pole
        ]


LEVEL_PREFIX = "level_"


class ParticipantForm(forms.Form):
    """One participant: an existing resident (by id) or a new one, and their outcome."""

    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    birth_year = forms.IntegerField(
        label=_("Année de naissance"),
        required=False,
        min_value=1900,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    neighbourhood = forms.TypedChoiceField(
        label=_("Quartier"), coerce=int, required=False, empty_value=None
    )
    consent = forms.BooleanField(label=_("La personne accepte le partage"), required=False)
    across_towns = across_towns_field()
    # After a possible duplicate was shown: "new", or the id of the existing record to use.
    same_as = forms.CharField(required=False)
    autonomy = forms.TypedChoiceField(
        label=_("Autonomie"),
        choices=Autonomy.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    operator = forms.TypedChoiceField(
        label=_("Organisme"), coerce=int, required=False, empty_value=None
    )
    paperwork_result = forms.TypedChoiceField(
        label=_("Résultat de la démarche"),
        choices=[("", _("Non renseigné"))] + PaperworkResult.choices,
        required=False,
    )
    blocked_reason = forms.TypedChoiceField(
        label=_("Raison du blocage"),
        choices=[("", _("Choisir une raison"))] + BlockedReason.choices,
        required=False,
    )

    def __init__(self, *args, choices, module=None, pole=None, fields=None, **kwargs):
        # Django copies base_fields for each form: the formset's rows share the fields it
        # made once (participant_fields) instead.
        self.base_fields = fields or participant_fields(choices, module)
        super().__init__(*args, **kwargs)
        self.choices, self.module, self.pole = choices, module, pole
        self.level_fields = [self[name] for name in self.fields if name.startswith(LEVEL_PREFIX)]
        self.duplicates = []
        self.person = None  # the Resident, once the formset has found it

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("L'année de naissance ne peut pas être dans le futur."))
        return year

    def has_changed(self):
        # A row counts when it names someone (cheaper than comparing every field).
        return any(
            self.data.get(self.add_prefix(name))
            for name in ("resident", "last_name", "first_name", "same_as")
        )

    def is_new_person(self):
        return not self.cleaned_data.get("resident") and bool(
            self.cleaned_data.get("first_name") or self.cleaned_data.get("last_name")
        )

    def raw_resident_id(self):
        """The existing resident this row is about, read before validation (for display)."""
        value = self[("resident")].value()
        same_as = self["same_as"].value()
        for candidate in (value, same_as):
            if str(candidate or "").isdigit():
                return int(candidate)
        return None

    def clean(self):
        data = super().clean()
        if data.get("paperwork_result") != PaperworkResult.BLOCKED:
            data["blocked_reason"] = ""
        same_as = data.get("same_as") or ""
        if same_as.isdigit():
            data["resident"] = int(same_as)
        elif same_as not in ("", "new"):
            self.add_error(None, _("Choix invalide : rechargez la page."))
        # Levels posted for competences the module does not have (a changed module, or a
        # tampered form) are refused rather than silently dropped.
        known = (
            {f"{LEVEL_PREFIX}{t.competence_id}" for t in self.module.targets.all()}
            if (self.module)
            else set()
        )
        prefix = self.add_prefix(LEVEL_PREFIX)
        for key, value in self.data.items():
            if key.startswith(prefix) and value and key[len(self.add_prefix("")) :] not in known:
                self.add_error(
                    None,
                    _("Une compétence évaluée ne fait pas partie du module choisi : %(module)s.")
                    % {"module": self.module.name if self.module else _("aucun module")},
                )
                break
        return data

    def participant(self):
        """The row as writing.ParticipantInput: a resident's id, or a new person."""
        data = self.cleaned_data
        resident = data.get("resident")
        if not resident:
            resident = NewPerson(
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                birth_year=data.get("birth_year"),
                neighbourhood=data.get("neighbourhood"),
                consent=bool(data.get("consent")),
                across_towns=bool(data.get("across_towns")),
                confirm_new=data.get("same_as") == "new",
            )
        # The result of a paperwork shows only in the necessity pole: hidden, still posted
        # after a change of pole, it is left out. An operator named is the resolver's to
        # refuse outside that pole.
        necessity = self.pole == Pole.NECESSITY
        return ParticipantInput(
            resident=resident,
            autonomy=data.get("autonomy"),
            operator=data.get("operator"),
            paperwork_result=data.get("paperwork_result", "") if necessity else "",
            blocked_reason=data.get("blocked_reason", "") if necessity else "",
            levels={
                int(name[len(LEVEL_PREFIX) :]): level
                for name, level in data.items()
                if name.startswith(LEVEL_PREFIX) and level is not None
            },
        )


class RowFields(dict):
    """Fields shared by the rows of a formset: a form's copy of them (BaseForm.__init__
    deep-copies base_fields) is a copy of the dict only. Copying every field, choices and
    widget of every row was most of the cost of reading a session's participants."""

    def __deepcopy__(self, memo):
        return dict(self)


def participant_fields(choices, module):
    """The fields of a participant row, with a level field per competence of `module`,
    made once for all the rows of a formset."""
    fields = copy.deepcopy(ParticipantForm.base_fields)
    # Read from the database only when shown, or when a row names one.
    fields["neighbourhood"].choices = choices.get_neighbourhood_choices
    fields["operator"].choices = choices.get_operator_choices
    fields["consent"].help_text = consent_label()
    for target in module.targets.all() if module else []:
        fields[f"{LEVEL_PREFIX}{target.competence_id}"] = forms.TypedChoiceField(
            label=f"{target.competence.code} {target.competence.name}",
            choices=[("", _("Non évaluée"))] + Level.CHOICES,
            coerce=int,
            required=False,
            empty_value=None,
        )
    return RowFields(fields)


class BaseParticipantFormSet(forms.BaseFormSet):
    def __init__(self, *args, choices, user, pole=None, module=None, session=None, **kwargs):
        self.choices, self.user, self.pole, self.session = choices, user, pole, session
        self.module = module if pole == Pole.ACHIEVEMENT else None
        super().__init__(
            *args,
            form_kwargs={
                "choices": choices,
                "module": self.module,
                "pole": pole,
                "fields": participant_fields(choices, self.module),
            },
            **kwargs,
        )

    @cached_property
    def residents(self):
        """The residents named in the rows that this user may pick, in one query: those they
        may see. Participants of the session they may no longer see are not rows of the
        form: the service keeps them as they are (services.hidden_outcomes)."""
        ids = {f.raw_resident_id() for f in self.forms} - {None}
        if not ids:
            return {}
        allowed = resident_visibility(self.user) or Q(pk__in=[])
        found = Resident.objects.filter(allowed, pk__in=ids).select_related(
            "neighbourhood", "created_by_actor__town"
        )
        return {r.pk: r for r in found}

    def attach_residents(self):
        for form in self.forms:
            form.person = self.residents.get(form.raw_resident_id())

    def kept_forms(self):
        return [
            f
            for f in self.forms
            if f.is_valid()
            and not self._should_delete_form(f)
            and (f.cleaned_data.get("resident") or f.is_new_person())
        ]

    def clean(self):
        if any(self.errors):
            return
        self.rows = self.kept_forms()
        self.participants = [form.participant() for form in self.rows]

    def attach(self, errors):
        """writing.SessionErrors of the participants, on their rows."""
        for index, problems in errors.participants.items():
            form = self.rows[index]
            for field, messages in problems.items():
                if field == "resident":
                    self._non_form_errors.extend(messages)
                elif field in form.fields:
                    form.add_error(field, messages)
                else:
                    form.add_error(None, messages)
        for index, alike in errors.duplicates.items():
            self.rows[index].duplicates = alike


ParticipantFormSet = forms.formset_factory(
    ParticipantForm,
    formset=BaseParticipantFormSet,
    extra=0,
    can_delete=True,
    max_num=200,
    validate_max=True,
)


def new_submission_key():
    return uuid.uuid4()


# Residents -----------------------------------------------------------------------------


class ResidentForm(forms.ModelForm):
    """A resident's record. `across_towns`: whether to offer following in the neighbouring
    towns (the record's town shares a territory with others, or the person already agreed
    to it); without it, the page looks as in a single-town installation and the answer
    given stays as it is."""

    consent = forms.BooleanField(label=_("La personne accepte le partage"), required=False)
    across_towns = across_towns_field()
    same_as = forms.CharField(required=False, widget=forms.HiddenInput)
    commune = forms.CharField(
        label=_("Commune de résidence"),
        help_text=_(
            "Nom de la commune, code postal ou code INSEE, si la personne vient d'ailleurs ; "
            "par exemple « Poitiers 86000 »."
        ),
        max_length=120,
        required=False,
    )

    class Meta:
        model = Resident
        fields = [
            "first_name",
            "last_name",
            "birth_year",
            "gender",
            "neighbourhood",
            "social_status",
            "phone",
            "email",
        ]
        widgets = {
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "last_name": _("Laissez le nom et le prénom vides si la personne veut rester anonyme."),
            "phone": _("Seulement si la personne le souhaite."),
        }

    def __init__(self, *args, across_towns=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = consent_label()
        self.fields["consent"].initial = self.instance.sharing_consent
        if across_towns or self.instance.shared_across_towns:
            self.fields["across_towns"].initial = self.instance.shared_across_towns
        else:
            del self.fields["across_towns"]
        self.fields["social_status"].choices = SocialStatus.choices
        self.fields["birth_year"].widget.attrs.update(min=1900, max=timezone.localdate().year)
        self.fields["gender"].required = False
        if self.instance.created_by_actor_id is not None:
            # The neighbourhoods of the record's town.
            self.fields["neighbourhood"].queryset = Neighbourhood.objects.of_town_of(
                self.instance.created_by_actor_id
            ).order_by(Alphabetical("name"), "pk")
        if self.instance.commune_insee:
            self.fields[
                "commune"
            ].initial = f"{self.instance.commune_name} {self.instance.commune_postcode}".strip()

    def consent_answers(self):
        """{consent, across_towns} as services.resident_create() and resident_update() take
        them: across_towns None (as it is) when the page did not ask."""
        data = self.cleaned_data
        return {"consent": data["consent"], "across_towns": data.get("across_towns")}

    def clean_gender(self):
        return self.cleaned_data.get("gender") or Gender.NOT_STATED

    def clean_commune(self):
        """The commune typed: its name (and postcode if there are namesakes), a postcode
        with one commune, or an INSEE code (pathway.communes)."""
        text = self.cleaned_data.get("commune", "").strip()
        if not text:
            return None
        found = communes.parse(text)
        if isinstance(found, communes.Commune):
            return found
        if found:
            raise forms.ValidationError(
                _("Plusieurs communes correspondent : %(names)s. Ajoutez le code postal.")
                % {"names": ", ".join(c.label for c in found[:6])}
            )
        raise forms.ValidationError(_("Commune introuvable : « %(text)s ».") % {"text": text})

    def save(self, commit=True):
        commune = self.cleaned_data.get("commune")
        self.instance.commune_insee = commune.insee if commune else ""
        self.instance.commune_postcode = commune.postcode if commune else ""
        self.instance.commune_name = commune.name if commune else ""
        return super().save(commit)

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and not 1900 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("Indiquez une année entre 1900 et aujourd'hui."))
        return year


class ReferralForm(forms.Form):
    to_actor = forms.ModelChoiceField(
        label=_("Structure"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("Pas de structure précise"),
    )
    to_pole = forms.ChoiceField(
        label=_("Pôle"),
        choices=[("", _("Pas de pôle précis"))] + Pole.choices,
        required=False,
    )
    reason = forms.CharField(
        label=_("Motif"),
        help_text=_("Ce que la personne cherche, en quelques mots. Rien sur sa santé."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    from_actor = forms.ModelChoiceField(
        label=_("Votre structure"), queryset=Actor.objects.none(), empty_label=None
    )
    consent = forms.BooleanField(label=_("La personne accepte le partage"), required=False)
    across_towns = across_towns_field()

    def __init__(self, *args, user, resident, across_towns=False, **kwargs):
        """`across_towns`: whether the person's town shares a territory with other towns
        (following there is then offered, unless they agreed already)."""
        super().__init__(*args, **kwargs)
        # The actors who could see the person (their town's, the neighbouring towns').
        town = resident.created_by_actor.town_id
        field = self.fields["to_actor"]
        field.queryset = (
            resident.referral_destinations()
            .active()
            .select_related("town")
            .order_by(Alphabetical("name"))
        )
        field.label_from_instance = lambda a: (
            a.name if a.town_id == town else f"{a.name} ({a.town.name})"
        )
        if not across_towns or resident.shared_across_towns:
            del self.fields["across_towns"]
        own = Actor.objects.active().order_by(Alphabetical("name"))
        if user.is_network_admin:
            own = in_their_towns(own, user, "pk")
        else:
            own = own.filter(pk__in=user.actor_ids)
        self.fields["from_actor"].queryset = own
        self.fields["consent"].help_text = consent_label()

    def clean(self):
        data = super().clean()
        if not data.get("to_actor") and not data.get("to_pole"):
            self.add_error(
                "to_actor",
                _("Choisissez la structure ou le pôle vers lequel orienter la personne."),
            )
        return data


class MergeForm(forms.Form):
    survivor = forms.CharField(
        label=_("Fiche à garder (référence)"), max_length=12, help_text=_("Par exemple H7KQ4X9T.")
    )
    duplicate = forms.CharField(label=_("Fiche en double, à fusionner (référence)"), max_length=12)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        # Records the user manages: those of their town, not a person followed from a
        # neighbouring one (Resident.can_be_changed_by).
        found = {
            r.reference: r
            for r in Resident.objects.editable_by(self.user)
            .filter(
                reference__in=[data.get("survivor", "").upper(), data.get("duplicate", "").upper()],
                merged_into__isnull=True,
            )
            .select_related("created_by_actor", "neighbourhood")
        }
        for name in ["survivor", "duplicate"]:
            reference = data.get(name, "").strip().upper()
            if reference and reference not in found:
                self.add_error(name, _("Aucune fiche active n'a cette référence."))
            data[name] = found.get(reference)
        if data.get("survivor") and data["survivor"] == data.get("duplicate"):
            raise forms.ValidationError(_("Choisissez deux fiches différentes."))
        return data


class ApiTokenForm(forms.Form):
    """The network admin issues an API key for a staff member (or another tool's account)
    of their town: a key acts with its owner's rights, so never another town's account, nor
    the superuser's."""

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.keyed_by(by).order_by(
            "last_name", "first_name", "id"
        )

    user = forms.ModelChoiceField(
        label=_("Pour qui"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name", "id"),
        help_text=_("La clé agit au nom de cette personne, avec ses droits à elle."),
    )
    name = forms.CharField(
        label=_("Usage"),
        max_length=100,
        help_text=_("Pour s'y retrouver, par exemple : logiciel France services."),
    )
    scope = forms.ChoiceField(
        label=_("Droits"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(
        label=_("Valable pendant (jours)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Laisser vide pour une clé sans date de fin."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Ce que contient le fichier"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "Un fichier CSV ou XLSX (tableur) dont la première ligne porte les titres des "
            "colonnes, comme dans un export."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, k.label) for k in kinds]


class MagicLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        help_text=_("Celle que vous avez donnée à un médiateur du réseau."),
        error_messages={
            "required": _("Écrivez votre adresse électronique."),
            "invalid": _("Cette adresse n'est pas complète : elle ressemble à nom@exemple.fr."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class JournalFilterForm(forms.Form):
    """The access journal's filters (validated: no NUL bytes or oversized values reach the
    database)."""

    resident = forms.CharField(required=False, max_length=12)
    user = forms.CharField(required=False, max_length=150)


class EraseForm(forms.Form):
    """Confirming the erasure of a resident's data, and what becomes of their certificates."""

    KEEP, REVOKE = "keep", "revoke"
    certificates = forms.ChoiceField(
        label=_("Les attestations déjà délivrées"),
        choices=[
            (KEEP, _("restent vérifiables, au nom d'une « personne anonymisée »")),
            (REVOKE, _("sont révoquées")),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("Je confirme : le nom, les coordonnées et les notes seront effacés pour toujours."),
        error_messages={"required": _("Cochez la case pour confirmer l'effacement.")},
    )


class ConsentForm(forms.Form):
    """The resident's own answer in their space: consent to sharing (given or withdrawn),
    or `towns` "stop": no longer followed in the neighbouring towns, sharing unchanged."""

    STOP = "stop"
    consent = forms.BooleanField(required=False)
    towns = forms.ChoiceField(choices=[(STOP, STOP)], required=False)
