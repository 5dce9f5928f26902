from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/<slug:key>/", views.organisation_detail, name="organisation"),
    path("units/<slug:key>/", views.unit_detail, name="unit"),
    path("people/<slug:key>/", views.person_detail, name="person"),
    path("people/<slug:key>/vcard/", views.person_vcard_download, name="person_vcard"),
    path("partners/<slug:key>/", views.partner_detail, name="partner"),
    path("networks/<slug:key>/", views.network_detail, name="network"),
]
