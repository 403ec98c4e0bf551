"""How long PostgreSQL lets one query run: WEB_STATEMENT_TIMEOUT_MS for the web processes
(config/settings.py sets it as a connection option), WORKER_STATEMENT_TIMEOUT_MS for the
Celery worker, whose exports and nightly jobs read far more. The worker switches when it
starts, before it opens a connection of its own."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connections


def use_worker_statement_timeout(**kwargs) -> None:
    """celery's worker_init: the worker's connections get the worker's timeout."""
    for alias in connections:
        options = connections[alias].settings_dict.get("OPTIONS", {})
        if "statement_timeout=" in options.get("options", ""):
            options["options"] = re.sub(
                r"statement_timeout=\d+",
                f"statement_timeout={settings.WORKER_STATEMENT_TIMEOUT_MS}",
                options["options"],
            )
        connections[alias].close()
