from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("lockouts/", views.lockouts_page, name="lockouts"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
]
