from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from network.ambassadors import destinations
from network.coordination import CoordinationExport, actors_for
from network.models import (
    CURRENT_FAMILY_CONSENT,
    FAMILY_CONSENT_TEXTS,
    DirectoryEntry,
    Document,
    Folder,
    Meeting,
    MeetingKind,
    Need,
)
from pathway.models import Town
from pathway.sorting import Alphabetical


class ForTown:
    """The town a member of staff writes a date, a document or a news item for, mixed into
    their forms: their town when they have one (no field: a single-town installation sees
    no change); a choice among theirs when they have several; for the superuser, any town
    or every town (empty). `town_choice` is then the town (None: every town)."""

    def setup_town(self, user):
        self.everyone = user.town_ids is None
        towns = list(Town.objects.visible_to(user).order_by(Alphabetical("name"), "pk"))
        self.own_town = towns[0] if len(towns) == 1 else None
        self.nowhere = not towns and not self.everyone
        if len(towns) > 1:
            self.fields["town"] = forms.ModelChoiceField(
                label=_("Ville"),
                queryset=Town.objects.filter(pk__in=[t.pk for t in towns]).order_by(
                    Alphabetical("name"), "pk"
                ),
                required=False,
                empty_label=_("Toutes les villes") if self.everyone else _("Choisir…"),
            )
            self.order_fields(["town"])

    def clean_town_choice(self, *, needed=True):
        """Refuse what would be for no town the writer has (`needed`: the town is used)."""
        if not needed:
            return
        if self.nowhere:
            raise ValidationError(
                _(
                    "Votre compte n'est rattaché à aucune ville : demandez à la coordination "
                    "du réseau de vous rattacher à votre structure."
                )
            )
        if "town" in self.fields and not self.everyone and not self.cleaned_data.get("town"):
            self.add_error("town", _("Choisissez la ville."))

    @property
    def town_choice(self):
        if "town" in self.fields:
            return self.cleaned_data.get("town")
        return self.own_town


class ReferFamilyForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom de la personne"), max_length=100)
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("ou courriel"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    need = forms.ChoiceField(
        label=_("De quoi la famille a-t-elle besoin ?"),
        choices=Need.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("En quelques mots (facultatif)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    to_actor = forms.ModelChoiceField(
        label=_("Vers quelle structure ?"), queryset=None, empty_label=_("Choisir…")
    )
    school = forms.ModelChoiceField(label=_("Votre établissement"), queryset=None, empty_label=None)
    consent = forms.BooleanField(
        label=_("La famille est d'accord"),
        required=False,
        help_text=FAMILY_CONSENT_TEXTS[CURRENT_FAMILY_CONSENT],
    )

    def __init__(self, *args, ambassador, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_actor"].queryset = destinations()
        self.fields["school"].queryset = ambassador.actors.order_by("name")
        if self.fields["school"].queryset.count() == 1:
            self.fields["school"].widget = forms.HiddenInput()
            self.fields["school"].initial = self.fields["school"].queryset.first()


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("Votre adresse e-mail"))


class InviteAmbassadorForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"))
    schools = forms.ModelMultipleChoiceField(
        label=_("Établissements scolaires"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools


class DirectoryEntryForm(forms.ModelForm):
    class Meta:
        model = DirectoryEntry
        fields = ["listed", "job_title", "phone", "email", "languages", "topics", "operators"]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "operators": forms.CheckboxSelectMultiple,
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de la personne"))
    actor = forms.ModelChoiceField(label=_("Structure"), queryset=None, empty_label=None)
    role = forms.ChoiceField(label=_("Rôle"))

    def __init__(self, *args, actors, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors
        self.fields["role"].choices = [(r.value, r.label) for r in roles]


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    username = forms.RegexField(
        label=_("Identifiant de connexion"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Lettres, chiffres et . @ + - _ seulement."),
    )
    password = forms.CharField(
        label=_("Mot de passe"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class MeetingForm(ForTown, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "description",
            "parent",
            "capacity",
            "public_registration",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_town(user)
        self.fields["parent"].queryset = Meeting.objects.visible_to(user).filter(
            kind=MeetingKind.ASSISES, parent__isnull=True
        )

    def clean(self):
        data = super().clean()
        self.clean_town_choice()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("La fin doit venir après le début."))
        return data

    def save(self, commit=True):
        self.instance.town = self.town_choice
        return super().save(commit=commit)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Compte rendu"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    decisions = forms.CharField(
        label=_("Décisions et engagements (une par ligne)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class PublicRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Votre nom"), max_length=150)
    organisation = forms.CharField(label=_("Votre structure"), max_length=150, required=False)
    email = forms.EmailField(label=_("Votre adresse e-mail"))


class PostForm(ForTown, forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=150)
    body = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Paragraphes séparés par une ligne vide ; les liens deviennent cliquables."),
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents joints"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_town(user)
        self.fields["documents"].queryset = (
            Document.objects.visible_to(user)
            .select_related("folder")
            .order_by("folder__name", "title")
        )

    def clean(self):
        data = super().clean()
        self.clean_town_choice()
        # What the readers of the news item could not open is not attached to it.
        town = self.town_choice
        for document in data.get("documents") or ():
            if document.town_id is not None and document.town_id != getattr(town, "pk", None):
                self.add_error(
                    "documents",
                    _("« %(title)s » n'est pas un document de la ville de cette actualité.")
                    % {"title": document.title},
                )
        return data


class UploadForm(ForTown, forms.Form):
    folder = forms.ModelChoiceField(label=_("Dossier"), queryset=None, required=False)
    new_folder = forms.CharField(label=_("ou un nouveau dossier"), max_length=100, required=False)
    title = forms.CharField(label=_("Titre du document"), max_length=150, required=False)
    document = forms.ModelChoiceField(
        label=_("ou une nouvelle version de"), queryset=None, required=False
    )
    file = forms.FileField(label=_("Fichier"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_town(user)
        self.fields["folder"].queryset = Folder.objects.all()
        self.fields["document"].queryset = Document.objects.visible_to(user).order_by("title")

    def clean(self):
        data = super().clean()
        # A new version stays in its document's town.
        self.clean_town_choice(needed=not data.get("document"))
        return data


class CoordinationExportForm(forms.Form):
    """The period and the part of the network of the coordination export."""

    start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.ChoiceField(label=_("Périmètre"), required=False)
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")], initial="xlsx"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choices = [("", _("Tout le réseau"))] if user.is_network_admin else []
        self.actors = {str(a.pk): a for a in actors_for(user)}
        choices += [(pk, actor.name) for pk, actor in self.actors.items()]
        self.fields["actor"].choices = choices
        self.fields["actor"].required = not user.is_network_admin

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["export"] = CoordinationExport(
                self.user, data["start"], data["end"], actor=self.actors.get(data.get("actor"))
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return data
