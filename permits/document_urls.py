"""Included under ``applications/<str:key>/documents/`` (config/urls.py)."""

from django.urls import path

from . import document_views as views

# The namespace keeps the names the templates use: documents:upload, documents:download.
app_name = "documents"

urlpatterns = [
    path("upload/", views.document_upload, name="upload"),
    path("<uuid:public_id>/download/", views.document_download, name="download"),
]
