import re

from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate, Endorser, Signatory
from learners.models import Session, SessionFormat
from pathway.models import Module
from pathway.permissions import in_their_towns
from pathway.sorting import Alphabetical

MAX_PDF_BYTES = 5 * 1024 * 1024


# A code is its town's prefix (2 to 6 letters, Town.certificate_prefix) and 12 symbols.
TYPED_CODE = re.compile(r"(?P<prefix>[A-Z]{2,6})(?P<body>[0-9A-Z]{12})")


def normalize_code(value):
    """What people type ("mrm 7kq4 x9td h3pv", "IST-7KQ4X9TDH3PV") → "MRM-7KQ4-X9TD-H3PV".

    The body always has 12 symbols, so whatever comes before is the prefix: the codes of
    every town of the installation are read, and those issued under a prefix a town has
    since changed."""
    letters = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    if match := TYPED_CODE.fullmatch(letters):
        prefix, body = match["prefix"], match["body"]
        return f"{prefix}-{body[:4]}-{body[4:8]}-{body[8:]}"
    return (value or "").strip().upper()


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code de l'attestation"),
        max_length=40,
        help_text=_("Il est écrit en bas de l'attestation, par exemple MRM-7KQ4-X9TD-H3PV."),
        error_messages={"required": _("Tapez le code écrit sur l'attestation.")},
    )

    def clean_code(self):
        return normalize_code(self.cleaned_data["code"])


class PdfCheckForm(forms.Form):
    file = forms.FileField(
        label=_("Le fichier PDF de l'attestation"),
        help_text=_("Le fichier reçu de la personne, tel quel (5 Mo au plus)."),
        error_messages={
            "required": _("Choisissez le fichier PDF à vérifier."),
            "empty": _("Ce fichier est vide : choisissez le PDF de l'attestation."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PDF_BYTES:
            raise forms.ValidationError(
                _("Ce fichier est trop gros (plus de 5 Mo) : ce n'est pas une attestation.")
            )
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("Ce fichier n'est pas un PDF."))
        return data


class IssueForm(forms.Form):
    """The options of an issue, and the (resident, module) pairs ticked on the list."""

    signatory = forms.TypedChoiceField(
        label=_("Signataire"),
        coerce=int,
        error_messages={
            "required": _("Choisissez qui signe l'attestation."),
            "invalid_choice": _("Choisissez un signataire de votre structure."),
        },
    )
    language = forms.ChoiceField(
        label=_("Langue de l'attestation"),
        choices=[("fr", _("Français")), ("en", _("Anglais"))],
        initial="fr",
    )
    expires_on = forms.DateField(
        label=_("Valable jusqu'au (facultatif)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Laissez vide : l'attestation reste valable sans limite de durée."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.signatories = {s.pk: s for s in Signatory.objects.usable_by(user)}
        self.fields["signatory"].choices = [
            (s.pk, f"{s.name}, {s.role} — {s.actor}") for s in self.signatories.values()
        ]
        # By default, the default signatory of the user's first actor.
        self.fields["signatory"].initial = next(
            (
                s.pk
                for s in self.signatories.values()
                if s.is_default and (user.is_network_admin or s.actor_id in user.actor_ids)
            ),
            None,
        )

    def clean_signatory(self):
        return self.signatories[self.cleaned_data["signatory"]]

    def clean(self):
        """The ticked "resident:module" pairs, or the one of the row whose button was
        pressed ("only")."""
        cleaned = super().clean()
        pairs = []
        for value in self.data.getlist("only") or self.data.getlist("pairs"):
            match = re.fullmatch(r"(\d{1,18}):(\d{1,18})", value)
            if not match:
                raise forms.ValidationError(
                    _("La liste des personnes est illisible : rechargez la page.")
                )
            pairs.append((int(match[1]), int(match[2])))
        if not pairs:
            raise forms.ValidationError(_("Cochez au moins une personne."))
        cleaned["pairs"] = pairs
        return cleaned


class EligibleFilterForm(forms.Form):
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.none(), required=False, empty_label=_("Tous")
    )
    session = forms.TypedChoiceField(
        label=_("Groupe d'atelier"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = (
            Module.objects.filter(targets__isnull=False).distinct().order_by(Alphabetical("name"))
        )
        recent = (
            Session.objects.visible_to(user)
            .filter(format=SessionFormat.COLLECTIVE, module__isnull=False)
            .select_related("module", "actor")
            .order_by("-date", "-id")[:100]
        )
        self.sessions = {s.pk: s for s in recent}
        self.fields["session"].choices = [("", _("Tous"))] + [
            (s.pk, f"{s.date:%d/%m/%Y} — {s.module.name} ({s.actor.name})")
            for s in self.sessions.values()
        ]

    def clean_session(self):
        pk = self.cleaned_data["session"]
        return self.sessions.get(pk) if pk else None


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la révocation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Il est affiché sur la page publique de l'attestation : pas de détail personnel."
        ),
        error_messages={"required": _("Écrivez le motif de la révocation.")},
    )


class CertificateSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou code"), required=False, max_length=100)


class EndorsementForm(forms.Form):
    """A partner's endorsement, as the coordination records it: of a module, or of one
    certificate by its code."""

    endorser = forms.ModelChoiceField(
        label=_("Partenaire qui recommande"),
        queryset=Endorser.objects.all(),
        empty_label=None,
        help_text=_("Un partenaire manque ? Ajoutez-le dans l'administration, « Partenaires »."),
        error_messages={"required": _("Choisissez le partenaire.")},
    )
    module = forms.ModelChoiceField(
        label=_("Module recommandé"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("— aucun : une attestation précise —"),
    )
    certificate_code = forms.CharField(
        label=_("Ou le code d'une attestation"),
        required=False,
        max_length=40,
        help_text=_("Par exemple MRM-7KQ4-X9TD-H3PV. Laissez vide pour recommander le module."),
    )
    comment = forms.CharField(
        label=_("Ce que dit le partenaire"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ses mots, tels qu'il les a écrits. Ils sont publics et signés."),
        error_messages={"required": _("Écrivez ce que dit le partenaire.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # What the user's towns may endorse (certificates.services.endorsement_issue):
        # another town's module is not offered, its certificates' codes are not found.
        self.fields["module"].queryset = (
            Module.objects.in_their_towns(user).filter(targets__isnull=False).distinct()
        )

    def clean(self):
        cleaned = super().clean()
        code = normalize_code(cleaned.get("certificate_code", ""))
        module = cleaned.get("module")
        if bool(code) == bool(module):
            raise forms.ValidationError(
                _("Choisissez un module, ou tapez le code d'une attestation (pas les deux).")
            )
        cleaned["certificate"] = None
        if code:
            cleaned["certificate"] = (
                in_their_towns(Certificate.objects.select_related("module"), self.user)
                .filter(code=code)
                .first()
            )
            if cleaned["certificate"] is None:
                self.add_error(
                    "certificate_code", _("Aucune attestation n'a ce code : vérifiez-le.")
                )
        return cleaned


class PixImportForm(forms.Form):
    file = forms.FileField(
        label=_("Le fichier des résultats de la campagne (CSV ou XLSX)"),
        help_text=_(
            "Dans Pix Orga : la campagne, onglet « Résultats », « Exporter les résultats ». "
            "Envoyez le fichier tel quel."
        ),
        error_messages={
            "required": _("Choisissez le fichier exporté de Pix Orga."),
            "empty": _("Ce fichier est vide : exportez à nouveau les résultats."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
