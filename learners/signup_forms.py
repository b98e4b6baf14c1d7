"""The workshop sign-up form: the same for a resident on the public page and for staff
signing someone up (learners/forms.py holds the session forms)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learners.models import CONSENT_TEXTS, CURRENT_CONSENT_VERSION
from learners.signups import phone_normalise


class SignupForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=20,
        required=False,
        help_text=_("Pour recevoir un rappel par SMS la veille."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Courriel"),
        required=False,
        help_text=_("Si vous n'avez pas de téléphone portable."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    data_use = forms.BooleanField(
        label=_(
            "J'accepte que le lieu garde mon nom et mon contact pour cet atelier. Ils servent "
            "à me prévenir (rappel, place libérée) et sont effacés après l'atelier si je ne "
            "viens pas."
        ),
        error_messages={"required": _("Cochez cette case pour vous inscrire.")},
    )
    sharing_consent = forms.BooleanField(label=_("Partage dans le réseau"), required=False)

    def __init__(self, *args, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["sharing_consent"].help_text = CONSENT_TEXTS[CURRENT_CONSENT_VERSION]
        if staff:
            self.fields["data_use"].label = _(
                "La personne accepte que le lieu garde son nom et son contact pour cet atelier."
            )

    def clean_phone(self):
        text = self.cleaned_data["phone"]
        phone = phone_normalise(text)
        if text.strip() and not phone:
            raise ValidationError(
                _("Ce numéro ne semble pas complet : 10 chiffres, par exemple 06 12 34 56 78.")
            )
        return phone

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and not self.has_error("phone"):
            raise ValidationError(
                _(
                    "Donnez un numéro de téléphone ou une adresse électronique : c'est pour "
                    "vous prévenir."
                )
            )
        return data
