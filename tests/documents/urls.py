"""The site's URLs with the documents include, whether or not config/urls.py has it yet."""

from django.urls import include, path

from config import urls as site_urls

urlpatterns = list(site_urls.urlpatterns)
if not any(getattr(pattern, "namespace", None) == "documents" for pattern in urlpatterns):
    urlpatterns.insert(0, path("applications/<str:key>/documents/", include("documents.urls")))

handler404 = site_urls.handler404
handler403 = site_urls.handler403
handler500 = site_urls.handler500
