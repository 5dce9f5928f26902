from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
]
