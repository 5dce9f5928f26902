"""Organisation administration through the API, as on the members page: an organisation's
administrators list its members and pending invitations, invite, change a member's rights and
remove a member. Thin: the same actions as the page (``membership_invite``, ``_change``,
``_remove``) check the rights and the last-administrator rule; another organisation (and any
staff account, which belongs to none) is a 404, a member who does not administer a 403."""

from __future__ import annotations

import re

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import organisation_selectors, rules
from ..actions import organisations as org_actions
from ..models import RIGHTS, ApplicantOrganisation, Language
from .organisations import ENTERPRISE_NUMBER, caller_organisation

USER_ID = OpenApiParameter(
    "user_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The member's user id."
)
RIGHTS_FIELD_HELP = "Rights held: draft, submit, see_decisions, administrator."
MEMBER = {
    "user_id": 12,
    "username": "clerk",
    "email": "clerk@example.test",
    "rights": ["draft", "submit"],
}
INVITATION = {
    "id": 3,
    "email": "clerk@example.test",
    "language": "nl",
    "rights": ["draft", "submit"],
    "invited_by": "admin",
    "created_at": "2026-11-30T09:12:00+01:00",
    "expires_at": "2026-12-14T09:12:00+01:00",
}


def _rights_field(**kwargs) -> serializers.ListField:
    kwargs.setdefault("help_text", RIGHTS_FIELD_HELP)
    return serializers.ListField(child=serializers.ChoiceField(choices=RIGHTS), **kwargs)


class MemberSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True, source="user.username")
    email = serializers.EmailField(read_only=True, source="user.email")
    rights = _rights_field(read_only=True)


class MemberRightsSerializer(serializers.Serializer):
    rights = _rights_field(
        allow_empty=True,
        help_text="The rights the member holds afterwards; those not named are withdrawn.",
    )


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField()
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        allow_blank=True,
        help_text="Language of the e-mail; by default the organisation's.",
    )
    rights = _rights_field(
        required=False, default=list, help_text="Rights the invitee receives on joining."
    )
    invited_by = serializers.CharField(read_only=True, source="invited_by.username")
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class _AdministeredOrganisation(APIView):
    pagination_class = None

    def get_organisation(self) -> ApplicantOrganisation:
        organisation = caller_organisation(self.request, self.kwargs["enterprise_number"])
        if not rules.can_administer_organisation(organisation, self.request.user):
            raise PermissionDenied(_("Only an administrator can manage the members."))
        return organisation


@extend_schema(tags=["organisations"], parameters=[ENTERPRISE_NUMBER])
class MemberListView(_AdministeredOrganisation):
    @extend_schema(
        operation_id="organisations_members_list",
        summary="The organisation's members and their rights",
        description="Administrators of the organisation.",
        responses=MemberSerializer(many=True),
        examples=[OpenApiExample("Members", value=[MEMBER], response_only=True)],
    )
    def get(self, request, enterprise_number):
        organisation = self.get_organisation()
        members = organisation_selectors.organisation_members(organisation=organisation)
        return Response(MemberSerializer(members, many=True).data)


@extend_schema(tags=["organisations"], parameters=[ENTERPRISE_NUMBER, USER_ID])
class MemberDetailView(_AdministeredOrganisation):
    def get_membership(self, organisation: ApplicantOrganisation):
        user_id = str(self.kwargs["user_id"])
        membership = (
            organisation_selectors.organisation_members(organisation=organisation)
            .filter(user_id=user_id)
            .first()
            if re.fullmatch(r"[0-9]{1,9}", user_id)
            else None
        )
        if membership is None:
            raise Http404("No such member.")
        return membership

    @extend_schema(
        operation_id="organisations_members_retrieve",
        summary="One member and their rights",
        responses=MemberSerializer,
        examples=[OpenApiExample("Member", value=MEMBER, response_only=True)],
    )
    def get(self, request, enterprise_number, user_id):
        organisation = self.get_organisation()
        return Response(MemberSerializer(self.get_membership(organisation)).data)

    @extend_schema(
        operation_id="organisations_members_rights_change",
        summary="Change a member's rights",
        description="The member holds exactly the rights named afterwards. The last "
        "administrator keeps the right to administer (422 naming `administrator`).",
        request=MemberRightsSerializer,
        responses=MemberSerializer,
        examples=[
            OpenApiExample(
                "Draft and submit", value={"rights": ["draft", "submit"]}, request_only=True
            ),
            OpenApiExample("Changed", value=MEMBER, response_only=True),
        ],
    )
    def put(self, request, enterprise_number, user_id):
        organisation = self.get_organisation()
        member = self.get_membership(organisation)
        serializer = MemberRightsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        held = set(serializer.validated_data["rights"])
        membership = org_actions.membership_change(
            organisation=organisation,
            user_id=member.user_id,
            actor=request.user,
            **{right: right in held for right in RIGHTS},
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        operation_id="organisations_members_remove",
        summary="Remove a member",
        description="Their account stays. Never the last administrator (422 naming "
        "`administrator`).",
        responses={204: None},
    )
    def delete(self, request, enterprise_number, user_id):
        organisation = self.get_organisation()
        member = self.get_membership(organisation)
        org_actions.membership_remove(
            organisation=organisation, user_id=member.user_id, actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["organisations"], parameters=[ENTERPRISE_NUMBER])
class InvitationListCreateView(_AdministeredOrganisation):
    @extend_schema(
        operation_id="organisations_invitations_list",
        summary="Pending invitations",
        description="Invitations not yet accepted. Administrators of the organisation.",
        responses=InvitationSerializer(many=True),
        examples=[OpenApiExample("Pending", value=[INVITATION], response_only=True)],
    )
    def get(self, request, enterprise_number):
        organisation = self.get_organisation()
        invitations = organisation_selectors.open_invitations(
            organisation=organisation
        ).select_related("invited_by")
        return Response(InvitationSerializer(invitations, many=True).data)

    @extend_schema(
        operation_id="organisations_invitations_create",
        summary="Invite a member",
        description="The invitee receives an e-mail with the link to join (in `language`, by "
        "default the organisation's); the link is never returned here. An address already "
        "a member is refused naming `email`.",
        request=InvitationSerializer,
        responses={201: InvitationSerializer},
        examples=[
            OpenApiExample(
                "Clerk",
                value={
                    "email": "clerk@example.test",
                    "language": "nl",
                    "rights": ["draft", "submit"],
                },
                request_only=True,
            ),
            OpenApiExample("Sent", value=INVITATION, response_only=True),
        ],
    )
    def post(self, request, enterprise_number):
        organisation = self.get_organisation()
        serializer = InvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        held = set(data.get("rights", []))
        invitation, _token = org_actions.membership_invite(
            organisation=organisation,
            actor=request.user,
            email=data["email"],
            language=data.get("language", ""),
            **{right: right in held for right in RIGHTS},
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


INVITATION_ID = OpenApiParameter(
    "invitation_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The invitation's id."
)


@extend_schema(tags=["organisations"], parameters=[ENTERPRISE_NUMBER, INVITATION_ID])
class InvitationDetailView(_AdministeredOrganisation):
    @extend_schema(
        operation_id="organisations_invitations_withdraw",
        summary="Withdraw an invitation",
        description="Its link no longer serves. An invitation already accepted or withdrawn "
        "is a 409 (remove the member instead).",
        responses={204: None},
    )
    def delete(self, request, enterprise_number, invitation_id):
        organisation = self.get_organisation()
        invitation_id = str(invitation_id)
        invitation = (
            organisation.invitations.filter(pk=invitation_id).first()
            if re.fullmatch(r"[0-9]{1,9}", invitation_id)
            else None
        )
        if invitation is None:
            raise Http404("No such invitation.")
        org_actions.membership_invitation_withdraw(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
