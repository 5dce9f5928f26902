"""Included by config.urls at /api/v1/."""

from django.urls import path, re_path

from . import assignment, customs, decisions, documents, organisations, usage, views

urlpatterns = [
    path("applications/", views.ApplicationListCreateView.as_view(), name="api-applications"),
    path(
        "applications/<str:id>/",
        views.ApplicationDetailView.as_view(),
        name="api-application",
    ),
    path(
        "applications/<str:id>/goods/",
        views.GoodsListCreateView.as_view(),
        name="api-application-goods",
    ),
    path(
        "applications/<str:id>/parties/",
        views.PartyListCreateView.as_view(),
        name="api-application-parties",
    ),
    path(
        "applications/<str:id>/transitions/",
        views.TransitionListView.as_view(),
        name="api-application-transitions",
    ),
    *[
        path(
            f"applications/<str:id>/transitions/{name}/",
            view.as_view(),
            name=f"api-application-transition-{name}",
        )
        for name, view in views.TRANSITION_VIEWS.items()
    ],
    path(
        "applications/<str:id>/reassign/",
        assignment.ReassignView.as_view(),
        name="api-application-reassign",
    ),
    path(
        "applications/<str:id>/history/",
        views.ApplicationHistoryView.as_view(),
        name="api-application-history",
    ),
    path(
        "applications/<str:id>/documents/",
        documents.DocumentListUploadView.as_view(),
        name="api-application-documents",
    ),
    path(
        "applications/<str:id>/documents/<uuid:document_id>/",
        documents.DocumentDetailView.as_view(),
        name="api-application-document",
    ),
    path(
        "applications/<str:id>/documents/<uuid:document_id>/download/",
        documents.DocumentDownloadView.as_view(),
        name="api-application-document-download",
    ),
    path(
        "applications/<str:id>/decision/",
        decisions.DecisionView.as_view(),
        name="api-application-decision",
    ),
    path(
        "applications/<str:id>/decision/pdf/",
        decisions.DecisionPdfView.as_view(),
        name="api-application-decision-pdf",
    ),
    path(
        "applications/<str:id>/licence/",
        decisions.LicenceView.as_view(),
        name="api-application-licence",
    ),
    path(
        "applications/<str:id>/licence/pdf/",
        decisions.LicencePdfView.as_view(),
        name="api-application-licence-pdf",
    ),
    path("history/", views.HistoryFeedView.as_view(), name="api-history"),
    # Customs interface and the holders' usage reports (issue 16).
    path(
        "customs/licences/<str:number>/",
        customs.CustomsLicenceView.as_view(),
        name="api-customs-licence",
    ),
    path(
        "customs/licences/<str:number>/lines/<str:position>/decrements/",
        customs.CustomsDecrementView.as_view(),
        name="api-customs-decrements",
    ),
    path(
        "licences/<str:number>/usage-reports/",
        usage.UsageReportView.as_view(),
        name="api-licence-usage-reports",
    ),
    # Company self-service (issue 16): copies, the caller's organisations, their catalogues.
    path(
        "applications/<str:id>/copy/",
        organisations.ApplicationCopyView.as_view(),
        name="api-application-copy",
    ),
    path("organisations/", organisations.OrganisationListView.as_view(), name="api-organisations"),
    path(
        "organisations/<str:enterprise_number>/parties/",
        organisations.SavedPartyListCreateView.as_view(),
        name="api-organisation-parties",
    ),
    path(
        "organisations/<str:enterprise_number>/products/",
        organisations.CatalogueProductListCreateView.as_view(),
        name="api-organisation-products",
    ),
    # Anything else under /api/v1/ is a problem+json 404, never an HTML page.
    re_path(r"^.*$", views.NotFoundView.as_view(), name="api-not-found"),
]
