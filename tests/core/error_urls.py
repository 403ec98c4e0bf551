"""The site's URLs plus one page with a bug in it, for the 500 page's tests."""

from django.urls import path

from config import urls as site


def page_with_a_bug(request):
    raise RuntimeError("a bug in a page")


urlpatterns = [path("page-with-a-bug/", page_with_a_bug), *site.urlpatterns]
handler404 = site.handler404
handler500 = site.handler500
