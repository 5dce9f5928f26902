"""Removing a goods item or a party from a draft, as the draft's "remove" buttons do. Thin: the
actions (``permits.actions.drafts``) lock the draft and check who may edit it."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..actions import drafts as draft_actions
from ..models import GoodsItem, Party, PermitApplication
from .views import APPLICATION_ID, IF_MATCH_OPTIONAL, ApplicationMixin, _check_if_match


class _DraftLineDeleteView(ApplicationMixin, APIView):
    model: type
    field = ""
    remover = None
    # The optional If-Match of a removal can be stale.
    extra_problem_statuses = {"DELETE": ("412",)}

    def delete(self, request, id, line_id):
        application = self.get_application()
        self.require_applicant_member(application)
        get_object_or_404(self.model, pk=line_id, application=application)
        with transaction.atomic():
            locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
            _check_if_match(request, locked, required=False)
            type(self).remover(application=locked, actor=request.user, **{self.field: line_id})
        return Response(status=status.HTTP_204_NO_CONTENT)


def _line_id(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "line_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id."
    )


@extend_schema(tags=["applications"], parameters=[APPLICATION_ID, _line_id("goods item")])
class GoodsItemDeleteView(_DraftLineDeleteView):
    model = GoodsItem
    field = "item_id"
    remover = staticmethod(draft_actions.goods_item_remove)

    @extend_schema(
        operation_id="applications_goods_remove",
        summary="Remove a goods item from a draft",
        description="The draft's applicant; only while it is a draft (409 afterwards).",
        parameters=[IF_MATCH_OPTIONAL],
        responses={204: None},
    )
    def delete(self, request, id, line_id):
        return super().delete(request, id, line_id)


@extend_schema(tags=["applications"], parameters=[APPLICATION_ID, _line_id("party")])
class PartyDeleteView(_DraftLineDeleteView):
    model = Party
    field = "party_id"
    remover = staticmethod(draft_actions.party_remove)

    @extend_schema(
        operation_id="applications_parties_remove",
        summary="Remove a party from a draft",
        description="The draft's applicant; only while it is a draft (409 afterwards).",
        parameters=[IF_MATCH_OPTIONAL],
        responses={204: None},
    )
    def delete(self, request, id, line_id):
        return super().delete(request, id, line_id)
