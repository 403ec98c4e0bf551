"""The borrower's relief pages (see /work/shared/api.md, "Web pages")."""

from django.urls import path

from relief import loan_views, notification_views, option_views, views

urlpatterns = [
    path("", loan_views.dashboard, name="dashboard"),
    path("loans/<int:loan_id>/", loan_views.loan_detail, name="loan-detail"),
    path("loans/<int:loan_id>/quote/", views.loan_quote, name="loan-quote"),
    path("loans/<int:loan_id>/apply/", views.loan_apply, name="loan-apply"),
    path("loans/<int:loan_id>/options/", option_views.loan_options, name="loan-options"),
    path("applications/", views.application_list, name="application-list"),
    path(
        "applications/<int:application_id>/",
        views.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<int:application_id>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence-download",
    ),
    path(
        "applications/<int:application_id>/satisfaction/",
        views.application_satisfaction,
        name="application-satisfaction",
    ),
    path(
        "applications/<int:application_id>/<slug:action>/",
        views.application_action,
        name="application-action",
    ),
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path(
        "notifications/read-all/",
        notification_views.notification_read_all,
        name="notification-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notification_views.notification_read,
        name="notification-read",
    ),
]
