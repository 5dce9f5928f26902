"""Included by config.urls at /api/v1/."""

from django.urls import include, path, re_path

from . import views

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
        "applications/<str:id>/history/",
        views.ApplicationHistoryView.as_view(),
        name="api-application-history",
    ),
    path("applications/<str:id>/", include("documents.api.urls")),
    path("history/", views.HistoryFeedView.as_view(), name="api-history"),
    # Anything else under /api/v1/ is a problem+json 404, never an HTML page.
    re_path(r"^.*$", views.NotFoundView.as_view(), name="api-not-found"),
]
