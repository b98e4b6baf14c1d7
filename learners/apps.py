from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = _("Habitants et accompagnements")

    def ready(self):
        from learners import (
            notifications,
            signups,  # noqa: F401 (connects its receivers)
        )

        notifications.connect()
