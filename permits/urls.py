from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("queue/", views.queue, name="queue"),
    path("approvals/", views.approvals, name="approvals"),
    path("<str:key>/", views.application_detail, name="application_detail"),
    path(
        "<str:key>/transitions/<str:name>/",
        views.application_transition,
        name="application_transition",
    ),
]
