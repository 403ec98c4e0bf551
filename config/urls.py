from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.login import LoginView
from core.views import healthz

urlpatterns = [
    # The URLs asked for most are found with the fewest patterns tried: the API under its one
    # prefix, then the borrower's pages (none of which starts with a prefix below them).
    path("api/", include("config.api_urls")),
    path("", include("relief.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("ops/", include("reports.urls")),
    path("learn/", include("learn.urls")),
    path("settings/", include("loans.urls")),
]

# Under /api/ errors are JSON; elsewhere the site's pages. A database that refuses
# connections gives 503 (core.views.server_error), never a traceback.
handler404 = "core.api.not_found"
handler500 = "core.views.server_error"
