from django.urls import path

from loans import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("loans/<int:loan_id>/", views.loan_detail, name="loan-detail"),
]
