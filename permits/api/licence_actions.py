"""What can be done to an issued licence through the API, as on the licence page: the head of
unit suspends, reinstates or revokes it; its holder starts an amendment or a renewal. Thin:
each endpoint calls the action the page calls (``permits.actions.licences``)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..actions import licences as licence_actions
from ..models import Licence
from . import examples
from .casework import FILE_ID
from .decisions import LICENCE_EXAMPLE
from .serializers import MAX_TEXT, ApplicantApplicationSerializer, LicenceSerializer
from .views import ApplicationMixin


class LicenceReasonPayload(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True,
        max_length=MAX_TEXT,
        help_text="Why: the holder reads it in the history and in the e-mail it receives.",
    )


class FollowUpPayload(serializers.Serializer):
    follow_up = serializers.ChoiceField(
        choices=[("amendment", "amendment"), ("renewal", "renewal")],
        help_text="amendment: a new draft with the goods as authorised; renewal: with what is "
        "left of each line (used-up lines dropped).",
    )


class LicenceMixin(ApplicationMixin):
    def get_licence(self) -> Licence:
        application = self.get_application()
        licence = Licence.objects.filter(application=application).first()
        if licence is None:
            raise Http404("This file has no licence.")
        return licence


def _reason_examples(reason: str, licence_status: str) -> list[OpenApiExample]:
    return [
        OpenApiExample("Reason", value={"reason": reason}, request_only=True),
        OpenApiExample(
            "The licence afterwards",
            value={**LICENCE_EXAMPLE, "status": licence_status},
            response_only=True,
        ),
    ]


class _LicenceStatusView(LicenceMixin, APIView):
    """POST a reason; the action checks who may, and from which status."""

    action = None
    # accounts.permissions.SecondFactorPermission: suspending and reinstating decide.
    decides = True

    def post(self, request, id):
        licence = self.get_licence()
        serializer = LicenceReasonPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence = type(self).action(
            licence=licence, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(LicenceSerializer(licence).data)


@extend_schema(tags=["licences"], parameters=[FILE_ID])
class LicenceSuspendView(_LicenceStatusView):
    action = staticmethod(licence_actions.licence_suspend)

    @extend_schema(
        operation_id="applications_licence_suspend",
        summary="Suspend a valid licence",
        description="Head of unit: valid → suspended. The holder is told by e-mail; no shipment "
        "can be recorded against a suspended licence. A reason is required (422 otherwise).",
        request=LicenceReasonPayload,
        responses={200: LicenceSerializer},
        examples=_reason_examples("End-user certificate under verification.", "suspended"),
    )
    def post(self, request, id):
        return super().post(request, id)


@extend_schema(tags=["licences"], parameters=[FILE_ID])
class LicenceReinstateView(_LicenceStatusView):
    action = staticmethod(licence_actions.licence_reinstate)

    @extend_schema(
        operation_id="applications_licence_reinstate",
        summary="Reinstate a suspended licence",
        description="Head of unit: suspended → valid. The holder is told by e-mail.",
        request=LicenceReasonPayload,
        responses={200: LicenceSerializer},
        examples=_reason_examples("The end-user certificate was confirmed.", "valid"),
    )
    def post(self, request, id):
        return super().post(request, id)


@extend_schema(tags=["licences"], parameters=[FILE_ID])
class LicenceRevokeView(LicenceMixin, APIView):
    decides = True

    @extend_schema(
        operation_id="applications_licence_revoke",
        summary="Revoke a licence",
        description="Head of unit: the file goes from issued to revoked and its licence is "
        "revoked for good (the same action as the transition `revoke`).",
        request=LicenceReasonPayload,
        responses={200: LicenceSerializer},
        examples=_reason_examples("Breach of the end-use condition.", "revoked"),
    )
    def post(self, request, id):
        licence = self.get_licence()
        serializer = LicenceReasonPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence_actions.application_revoke(
            application=licence.application,
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        licence.refresh_from_db()
        return Response(LicenceSerializer(licence).data)


@extend_schema(tags=["licences"], parameters=[FILE_ID])
class LicenceFollowUpView(LicenceMixin, APIView):
    @extend_schema(
        operation_id="applications_licence_follow_up",
        summary="Start an amendment or a renewal of a licence",
        description="The holder: a new draft copying the file the licence was issued on (goods, "
        "parties, route) and pointing back to it. Once that draft is approved, the new licence "
        "replaces this one, each carried-over line capped at what this one still has left. "
        "Refused for a revoked or replaced licence (409).",
        request=FollowUpPayload,
        responses={201: ApplicantApplicationSerializer},
        examples=[
            OpenApiExample("A renewal", value={"follow_up": "renewal"}, request_only=True),
            OpenApiExample(
                "The new draft",
                value={**examples.APPLICATION, "id": "5b7e1d2c-0a9f-4e3b-8c6d-1f2e3a4b5c6d"},
                response_only=True,
            ),
        ],
    )
    def post(self, request, id):
        licence = self.get_licence()
        serializer = FollowUpPayload(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = licence_actions.licence_follow_up_create(
            licence=licence, actor=request.user, follow_up=serializer.validated_data["follow_up"]
        )
        response = self.application_response(draft, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/applications/{draft.public_id}/"
        return response
