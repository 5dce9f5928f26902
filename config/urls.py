from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts import views as account_views
from config import views as site_views
from permits import views as permit_views
from permits.decisions import views as decision_views

# Swagger UI and Redoc come with inline scripts and styles: allowed on these two pages only.
api_docs_csp = csp_update(
    {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}
)

urlpatterns = [
    path("", permit_views.home, name="home"),
    path("healthz/", site_views.healthz, name="healthz"),
    path("healthz/live/", site_views.healthz_live, name="healthz-live"),
    path("verify/", decision_views.verify_view, name="verify"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("applications/<str:key>/documents/", include("permits.document_urls")),
    path("applications/", include("permits.urls")),
    path("organisations/", include("permits.organisation_urls")),
    path("directory/", include("directory.urls")),
    path("audit/", include("audit.urls")),
    path("api/v1/directory/", include("directory.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        api_docs_csp(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/v1/redoc/",
        api_docs_csp(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
    path("api/v1/", include("permits.api.urls")),
    path("account/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "config.views.page_not_found"
handler403 = "config.views.permission_denied"
handler500 = "config.views.server_error"
