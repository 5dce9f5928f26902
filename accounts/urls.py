from django.urls import path

from . import oidc, two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("lockouts/", views.lockouts_page, name="lockouts"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
    path("two-factor/setup/", two_factor_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/", two_factor_views.two_factor_manage, name="two_factor_manage"),
    # Sign-in through the federal authentication service (OpenID Connect), when configured.
    path("oidc/start/", oidc.FederalSignInStart.as_view(), name="oidc_start"),
    path("oidc/callback/", oidc.FederalSignInCallback.as_view(), name="oidc_callback"),
]
