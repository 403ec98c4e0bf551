"""The project's URLs with the reports API mounted where config/api_urls.py mounts it."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("api/v1/", include("reports.api")), *project_urlpatterns]
