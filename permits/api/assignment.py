"""Handing a file to another case manager through the API (staff only). Thin: the action
``permits.actions.assignment.application_reassign`` decides who may, when, and to whom."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from ..actions import assignment
from . import examples
from .serializers import StaffApplicationSerializer
from .views import APPLICATION_ID, ApplicationMixin


class ReassignPayload(serializers.Serializer):
    case_manager = serializers.CharField(
        max_length=150, help_text="Username of the case manager who takes the file over."
    )
    reason = serializers.CharField(
        max_length=4000,
        help_text="Why the file changes hands. Staff only: the applicant never reads it.",
    )


@extend_schema(tags=["transitions"], parameters=[APPLICATION_ID])
class ReassignView(ApplicationMixin, APIView):
    @extend_schema(
        operation_id="applications_reassign",
        summary="Hand a file under review or waiting on the applicant to another case manager",
        description="Head of unit (or case managers where `REASSIGNMENT_BY_CASE_MANAGERS` "
        "allows it). Everyone who was ever the file's case manager still counts for four-eyes.",
        request=ReassignPayload,
        responses={200: StaffApplicationSerializer},
        examples=[
            OpenApiExample(
                "reassign payload",
                value={"case_manager": "casemanager2", "reason": "Chloé is on leave."},
                request_only=True,
            ),
            OpenApiExample(
                "The application afterwards",
                value={**examples.APPLICATION, "status": "under_review"},
                response_only=True,
            ),
        ],
    )
    def post(self, request, id):
        application = self.get_application()
        serializer = ReassignPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # An unknown username is a refused choice (422 naming case_manager), not bad syntax.
        case_manager = (
            get_user_model().objects.filter(username=data["case_manager"], is_active=True).first()
        )
        application = assignment.application_reassign(
            application=application,
            actor=request.user,
            case_manager=case_manager,
            reason=data["reason"],
        )
        return self.application_response(application)
