from django.urls import path

from . import (
    assignment_views,
    compliance_views,
    field_history_views,
    history_views,
    licence_views,
    organisation_views,
    report_views,
    views,
)

app_name = "permits"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("queue/", views.queue, name="queue"),
    path("approvals/", views.approvals, name="approvals"),
    path("search/", views.search, name="search"),
    path("search/export/", views.search_export, name="search_export"),
    path("reports/", report_views.annual_reports, name="annual_reports"),
    path("<str:key>/", views.application_detail, name="application_detail"),
    path("<str:key>/decision/", views.decision_status, name="decision_status"),
    path(
        "<str:key>/history/compare/",
        history_views.application_history_compare,
        name="history_compare",
    ),
    path(
        "<str:key>/history/<int:record_id>/",
        history_views.application_as_it_was,
        name="history_snapshot",
    ),
    path(
        "<str:key>/field-history/",
        field_history_views.field_history_view,
        name="field_history",
    ),
    path("<str:key>/edit/", views.draft_start, name="draft_edit"),
    path("<str:key>/copy/", organisation_views.application_copy, name="application_copy"),
    path("<str:key>/edit/<str:step>/", views.draft_step, name="draft_step"),
    path("<str:key>/licence/", licence_views.licence_detail, name="licence"),
    path("<str:key>/licence/shipments/", licence_views.shipment_record, name="shipment_record"),
    path(
        "<str:key>/licence/shipments/<int:line_id>/return/",
        licence_views.goods_return,
        name="goods_return",
    ),
    path(
        "<str:key>/licence/<str:action>/",
        licence_views.licence_status,
        name="licence_status",
    ),
    path(
        "<str:key>/licence/follow-up/<str:follow_up>/",
        licence_views.licence_follow_up,
        name="licence_follow_up",
    ),
    path("<str:key>/screen/", compliance_views.screen_again, name="screen_again"),
    path(
        "<str:key>/government-decision/",
        compliance_views.government_decision,
        name="government_decision",
    ),
    path("<str:key>/flags/<int:flag_id>/clear/", compliance_views.flag_clear, name="flag_clear"),
    path(
        "<str:key>/consultations/",
        compliance_views.consultation_open,
        name="consultation_open",
    ),
    path(
        "<str:key>/consultations/<int:consultation_id>/answer/",
        compliance_views.consultation_answer,
        name="consultation_answer",
    ),
    path(
        "<str:key>/criteria/<str:code>/",
        compliance_views.criterion_assess,
        name="criterion_assess",
    ),
    path("<str:key>/reassign/", assignment_views.application_reassign, name="application_reassign"),
    path("<str:key>/notes/", assignment_views.case_note_add, name="case_note_add"),
    path(
        "<str:key>/transitions/<str:name>/",
        views.application_transition,
        name="application_transition",
    ),
]
