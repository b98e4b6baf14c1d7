from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class PathwayConfig(AppConfig):
    name = "pathway"
    verbose_name = _("Offre du réseau")

    def ready(self):
        from pathway.sorting import install_collation

        # Every list of names is ordered through this collation (pathway.sorting).
        connection_created.connect(install_collation, dispatch_uid="pathway_alphabetical")
