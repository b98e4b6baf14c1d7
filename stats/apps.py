from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistiques")

    def ready(self):
        # The apps below may not import the statistics: learners says when the figures of
        # some residents change (learners.services.participations_changed).
        from learners import signals
        from stats import services

        signals.participations_changed.connect(
            services.summaries_changed, dispatch_uid="stats_summaries_changed"
        )
