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
