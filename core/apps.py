from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Relief"

    def ready(self):
        from celery.signals import worker_init

        from core import checks  # noqa: F401 - registers the system checks
        from core.statement_timeout import use_worker_statement_timeout

        worker_init.connect(use_worker_statement_timeout, dispatch_uid="worker_statement_timeout")
