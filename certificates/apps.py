from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Attestations de compétences")

    def ready(self):
        from certificates.pdf import check_town_logo

        checks.register(check_town_logo)
