from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Relief"

    def ready(self) -> None:
        from core.authentication import connect_signals

        connect_signals()
