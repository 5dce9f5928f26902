from django.urls import path

from . import organisation_views as views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("<int:organisation_id>/members/", views.members, name="members"),
    path("<int:organisation_id>/members/<int:user_id>/", views.member, name="member"),
    path(
        "<int:organisation_id>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<int:organisation_id>/parties/", views.saved_parties, name="parties"),
    path("<int:organisation_id>/products/", views.catalogue_products, name="products"),
]
