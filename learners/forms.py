from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Identifiant ou mot de passe incorrect. Vérifiez les majuscules, puis réessayez."
        ),
        "inactive": _("Ce compte est désactivé. Contactez la coordination du réseau."),
    }
