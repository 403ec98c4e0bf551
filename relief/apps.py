from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    name = "relief"
    verbose_name = _("Relief")

    def ready(self) -> None:
        from relief import signals  # noqa: F401  (connects the receivers)
