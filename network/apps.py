from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Vie du réseau")

    def ready(self):
        from learners.signals import participations_changed
        from network.ambassadors import families_came

        # The first session of a family an ambassador referred: "venu par un ambassadeur".
        participations_changed.connect(families_came, dispatch_uid="network_families_came")
