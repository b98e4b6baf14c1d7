from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
