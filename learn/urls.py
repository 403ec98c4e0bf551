"""The education pages (api.md, "Web pages")."""

from django.urls import path

from learn import views

urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("<slug:slug>/", views.article_detail, name="article-detail"),
]
