"""Company self-service through the API: the caller's organisations and rights, copying an
application into a new draft, and the organisation's saved parties and product catalogue.
Thin: selectors read, actions act, the rules decide; another organisation is a 404."""

from __future__ import annotations

import re

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import organisation_selectors, rules
from ..actions import organisations as org_actions
from ..models import ApplicantOrganisation, CatalogueProduct, SavedParty
from . import examples
from .serializers import ApplicantApplicationSerializer, PartySerializer
from .views import APPLICATION_ID, ApplicationMixin

ENTERPRISE_NUMBER = OpenApiParameter(
    "enterprise_number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The organisation's enterprise number (KBO/BCE), ten digits.",
    examples=[OpenApiExample("Enterprise number", value="0403019261")],
)
SAVED_PARTY = {
    "role": "consignee",
    "name": "Forsvarsmateriell",
    "party_type": "government",
    "address": "Postboks 800 Postmottak, 2617 Lillehammer",
    "country": "NO",
}
PRODUCT = {
    "description": "Thermal imaging sights",
    "regime": "military",
    "control_entry": "ML15.a",
    "commodity_code": "90138000",
    "catch_all_ground": "",
}


class MemberOrganisationSerializer(serializers.Serializer):
    enterprise_number = serializers.CharField(read_only=True)
    legal_name = serializers.CharField(read_only=True)
    rights = serializers.ListField(
        child=serializers.ChoiceField(choices=rules.MEMBER_RIGHTS),
        read_only=True,
        help_text="What you may do for it: draft, submit, see_decisions, administrator.",
    )


class SavedPartySerializer(PartySerializer):
    class Meta(PartySerializer.Meta):
        model = SavedParty


class CatalogueProductSerializer(serializers.ModelSerializer):
    commodity_code = serializers.RegexField(
        r"^[0-9]{8}$",
        required=False,
        allow_blank=True,
        help_text="Combined Nomenclature code, eight digits.",
    )

    class Meta:
        model = CatalogueProduct
        fields = [
            "id",
            "description",
            "regime",
            "control_entry",
            "commodity_code",
            "catch_all_ground",
        ]
        read_only_fields = ["id"]


@extend_schema(tags=["organisations"])
class OrganisationListView(APIView):
    @extend_schema(
        summary="Your organisations and your rights in each",
        responses=MemberOrganisationSerializer(many=True),
        examples=[
            OpenApiExample(
                "One organisation",
                value=[
                    {
                        "enterprise_number": "0403019261",
                        "legal_name": "FN Herstal",
                        "rights": ["draft", "submit", "see_decisions"],
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request):
        data = []
        for organisation in organisation_selectors.user_organisations(user=request.user):
            membership = organisation_selectors.membership_of(
                organisation=organisation, user=request.user
            )
            data.append(
                {
                    "enterprise_number": organisation.enterprise_number,
                    "legal_name": organisation.legal_name,
                    "rights": membership.rights,
                }
            )
        return Response(MemberOrganisationSerializer(data, many=True).data)


@extend_schema(tags=["applications"], parameters=[APPLICATION_ID])
class ApplicationCopyView(ApplicationMixin, APIView):
    @extend_schema(
        summary="Copy an application into a new draft",
        description="A new draft of the same organisation with the same request, goods and "
        "parties; no documents, decision or history of the original. Members who prepare "
        "drafts.",
        request=None,
        responses={201: ApplicantApplicationSerializer},
        examples=[examples.DRAFT_RESPONSE],
    )
    def post(self, request, id):
        application = self.get_application()
        copy = org_actions.application_copy(application=application, actor=request.user)
        response = self.application_response(copy, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/applications/{copy.public_id}/"
        return response


def caller_organisation(request, enterprise_number) -> ApplicantOrganisation:
    """The caller's own organisation with this enterprise number (written with or without
    its dots); any other, or none, is a 404."""
    digits = "".join(ch for ch in str(enterprise_number) if ch.isdigit())
    organisation = (
        organisation_selectors.user_organisations(user=request.user)
        .filter(enterprise_number=digits)
        .first()
    )
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation


class _CatalogueListCreate(generics.ListAPIView):
    """Entries an organisation keeps for its drafts: list and add (members who draft)."""

    pagination_class = None
    filter_backends: list = []
    serializer_class: type
    service = None

    def get_organisation(self):
        organisation = caller_organisation(self.request, self.kwargs["enterprise_number"])
        if not rules.can_manage_catalogue(organisation, self.request.user):
            raise PermissionDenied(_("Only members who prepare drafts keep the catalogue."))
        return organisation

    def post(self, request, enterprise_number):
        organisation = self.get_organisation()
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = type(self).service(
            organisation=organisation, actor=request.user, **serializer.validated_data
        )
        return Response(self.serializer_class(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["organisations"], parameters=[ENTERPRISE_NUMBER])
class SavedPartyListCreateView(_CatalogueListCreate):
    serializer_class = SavedPartySerializer
    service = staticmethod(org_actions.saved_party_add)

    def get_queryset(self):
        return organisation_selectors.saved_parties(organisation=self.get_organisation())

    @extend_schema(
        summary="The organisation's saved parties",
        examples=[OpenApiExample("Parties", value=[{"id": 4, **SAVED_PARTY}], response_only=True)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Save a party (consignee, end-user, …) to reuse in drafts",
        responses={201: SavedPartySerializer},
        examples=[
            OpenApiExample("Consignee", value=SAVED_PARTY, request_only=True),
            OpenApiExample("Saved", value={"id": 4, **SAVED_PARTY}, response_only=True),
        ],
    )
    def post(self, request, enterprise_number):
        return super().post(request, enterprise_number)


@extend_schema(tags=["organisations"], parameters=[ENTERPRISE_NUMBER])
class CatalogueProductListCreateView(_CatalogueListCreate):
    serializer_class = CatalogueProductSerializer
    service = staticmethod(org_actions.catalogue_product_add)

    def get_queryset(self):
        return organisation_selectors.catalogue_products(organisation=self.get_organisation())

    @extend_schema(
        summary="The organisation's product catalogue",
        examples=[OpenApiExample("Products", value=[{"id": 7, **PRODUCT}], response_only=True)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a product to the catalogue",
        description="The control-list entry is checked against the list of the product's "
        "regime, the CN code is eight digits: as on a draft's goods.",
        responses={201: CatalogueProductSerializer},
        examples=[
            OpenApiExample("Thermal sights", value=PRODUCT, request_only=True),
            OpenApiExample("Added", value={"id": 7, **PRODUCT}, response_only=True),
        ],
    )
    def post(self, request, enterprise_number):
        return super().post(request, enterprise_number)


ENTRY_ID = OpenApiParameter(
    "entry_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The entry's id."
)


class _CatalogueEntryDetail(APIView):
    """One saved party or product: change it or remove it (members who draft). Drafts that
    used it keep their own copy of the lines picked from it."""

    serializer_class: type
    updater = None
    remover = None
    id_field = ""
    get_organisation = _CatalogueListCreate.get_organisation

    def get_entry(self, organisation):
        model = self.serializer_class.Meta.model
        entry_id = str(self.kwargs["entry_id"])
        entry = (
            model.objects.filter(organisation=organisation, pk=entry_id).first()
            if re.fullmatch(r"[0-9]{1,9}", entry_id)
            else None
        )
        if entry is None:
            raise Http404("No such entry.")
        return entry

    def patch(self, request, enterprise_number, entry_id):
        organisation = self.get_organisation()
        entry = self.get_entry(organisation)
        serializer = self.serializer_class(entry, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changed = type(self).updater(
            organisation=organisation,
            actor=request.user,
            **{self.id_field: entry.pk},
            **serializer.validated_data,
        )
        return Response(self.serializer_class(changed).data)

    def delete(self, request, enterprise_number, entry_id):
        organisation = self.get_organisation()
        entry = self.get_entry(organisation)
        type(self).remover(
            organisation=organisation, actor=request.user, **{self.id_field: entry.pk}
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["organisations"], parameters=[ENTERPRISE_NUMBER, ENTRY_ID])
class SavedPartyDetailView(_CatalogueEntryDetail):
    serializer_class = SavedPartySerializer
    updater = staticmethod(org_actions.saved_party_update)
    remover = staticmethod(org_actions.saved_party_remove)
    id_field = "party_id"

    @extend_schema(
        operation_id="organisations_parties_update",
        summary="Change a saved party",
        description="Only the fields sent change. Drafts that used the party keep theirs.",
        request=SavedPartySerializer,
        responses=SavedPartySerializer,
        examples=[
            OpenApiExample(
                "New address",
                value={"address": "Postboks 800, 2617 Lillehammer"},
                request_only=True,
            ),
            OpenApiExample("Changed", value={"id": 4, **SAVED_PARTY}, response_only=True),
        ],
    )
    def patch(self, request, enterprise_number, entry_id):
        return super().patch(request, enterprise_number, entry_id)

    @extend_schema(
        operation_id="organisations_parties_remove",
        summary="Remove a saved party",
        responses={204: None},
    )
    def delete(self, request, enterprise_number, entry_id):
        return super().delete(request, enterprise_number, entry_id)


@extend_schema(tags=["organisations"], parameters=[ENTERPRISE_NUMBER, ENTRY_ID])
class CatalogueProductDetailView(_CatalogueEntryDetail):
    serializer_class = CatalogueProductSerializer
    updater = staticmethod(org_actions.catalogue_product_update)
    remover = staticmethod(org_actions.catalogue_product_remove)
    id_field = "product_id"

    @extend_schema(
        operation_id="organisations_products_update",
        summary="Change a catalogue product",
        description="Only the fields sent change; the control-list entry is checked against "
        "the product's regime. Drafts that used the product keep their goods as they were.",
        request=CatalogueProductSerializer,
        responses=CatalogueProductSerializer,
        examples=[
            OpenApiExample("New CN code", value={"commodity_code": "90138000"}, request_only=True),
            OpenApiExample("Changed", value={"id": 7, **PRODUCT}, response_only=True),
        ],
    )
    def patch(self, request, enterprise_number, entry_id):
        return super().patch(request, enterprise_number, entry_id)

    @extend_schema(
        operation_id="organisations_products_remove",
        summary="Remove a product from the catalogue",
        responses={204: None},
    )
    def delete(self, request, enterprise_number, entry_id):
        return super().delete(request, enterprise_number, entry_id)
