from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Attestations de compétences")

    def ready(self):
        # learners may not import certificates: it says when records are merged or erased.
        from certificates import services
        from learners import signals

        signals.residents_merging.connect(
            services.certificates_follow_merge, dispatch_uid="certificates_follow_merge"
        )
        signals.residents_erasing.connect(
            services.certificates_follow_erasure, dispatch_uid="certificates_follow_erasure"
        )

        from certificates.pdf import check_town_logo

        checks.register(check_town_logo)
