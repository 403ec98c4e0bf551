from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearnConfig(AppConfig):
    name = "learn"
    verbose_name = _("Education")

    def ready(self) -> None:
        from learn import signals  # noqa: F401  (connects the receivers)
