"""System checks: a deployment that would fail on every page stops at start-up instead."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, staticfiles_storage
from django.core.checks import Error, register

STATIC_NOT_COLLECTED = "core.E001"


@register()
def static_files_collected(app_configs=None, **kwargs) -> list[Error]:
    """With DEBUG off the static files are served from STATIC_ROOT under hashed names read
    from the manifest that `collectstatic` writes (WhiteNoise's
    CompressedManifestStaticFilesStorage). Without it every `{% static %}` raises and every
    page, error pages included, is a server error; `manage.py check`, `migrate` and
    `runserver` say so first."""
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestStaticFilesStorage):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    return [
        Error(
            f"DEBUG is off and the static files have not been collected into "
            f"{settings.STATIC_ROOT} (no {staticfiles_storage.manifest_name}): every page "
            f"would be a server error.",
            hint="Run `python manage.py collectstatic --noinput` (with the same settings) "
            "before starting the server.",
            id=STATIC_NOT_COLLECTED,
        )
    ]
