"""The REST API, version 1 (`/api/v1/`), the OpenAPI schema and its docs."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
