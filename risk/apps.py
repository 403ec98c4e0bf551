from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("Prevention")

    def ready(self) -> None:
        from core.signals import demo_data_seeded
        from risk.demo import demo_prevention

        demo_data_seeded.connect(demo_prevention, dispatch_uid="risk_demo_prevention")
