"""Included by permits.api.urls under applications/<id>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("documents/", views.DocumentListUploadView.as_view(), name="api-application-documents"),
    path(
        "documents/<uuid:document_id>/",
        views.DocumentDetailView.as_view(),
        name="api-application-document",
    ),
    path(
        "documents/<uuid:document_id>/download/",
        views.DocumentDownloadView.as_view(),
        name="api-application-document-download",
    ),
    path("decision/", views.DecisionView.as_view(), name="api-application-decision"),
    path("decision/pdf/", views.DecisionPdfView.as_view(), name="api-application-decision-pdf"),
    path("licence/", views.LicenceView.as_view(), name="api-application-licence"),
    path("licence/pdf/", views.LicencePdfView.as_view(), name="api-application-licence-pdf"),
]
