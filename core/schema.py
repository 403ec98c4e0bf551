"""The OpenAPI schema, generated in English whatever the reader's language.

Clients are generated from it: made in the reader's language, it changed with the
Accept-Language (or the language cookie) of whoever fetched it, and a generated client got
Chinese descriptions and enum texts. Only an explicit `?lang=` (drf-spectacular's own
parameter) asks for another language.
"""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView

SCHEMA_LANGUAGE = "en"


class EnglishSchemaView(SpectacularAPIView):
    def dispatch(self, request, *args, **kwargs):
        with translation.override(SCHEMA_LANGUAGE):
            return super().dispatch(request, *args, **kwargs)
