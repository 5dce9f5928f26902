"""The permits API. Thin: reads through permits.selectors, acts through permits.actions, asks
permits.rules; errors become problem+json in config.api.errors."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import What as ReadWhat
from audit.services import staff_read_log
from config.api.errors import PreconditionFailed, PreconditionRequired
from config.api.pagination import FeedCursorPagination
from config.api.parsers import JSONParser
from config.db_router import bulk_reads
from workflow.exceptions import TransitionGuardFailed
from workflow.models import TransitionRecord
from workflow.roles import is_staff_member

from .. import rules, selectors, transitions
from ..actions import TRANSITION_ACTIONS
from ..actions import drafts as draft_actions
from ..models import GoodsItem, Party, PermitApplication
from . import examples, feed_sql, serializers
from .filters import ApplicationFilter, HistoryFilter

APPLICATION_ID = OpenApiParameter(
    "id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The application's public identifier (UUID), or its reference number once "
    "it has one.",
    examples=[examples.ID_EXAMPLE, examples.REFERENCE_EXAMPLE],
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The application's current version: send it back in If-Match to edit it.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version being edited (from GET). Missing: 428; stale: 412.",
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional: the ETag of the draft as you last read it; stale: 412.",
)


# --- Helpers ----------------------------------------------------------------------------------


def application_serializer_class(user):
    if is_staff_member(user):
        return serializers.StaffApplicationSerializer
    return serializers.ApplicantApplicationSerializer


def history_serializer_class(user):
    if is_staff_member(user):
        return serializers.StaffHistorySerializer
    return serializers.ApplicantHistorySerializer


def application_etag(application: PermitApplication) -> str:
    """Changes whenever the draft or its goods and parties change."""
    goods = list(GoodsItem.objects.filter(application=application).values_list("id", flat=True))
    parties = list(Party.objects.filter(application=application).values_list("id", flat=True))
    version = (
        f"{application.public_id}|{application.updated_at.isoformat()}|"
        f"{application.status}|{goods}|{parties}"
    )
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def _etag_matches(if_match: str, current: str) -> bool:
    candidates = [tag.strip() for tag in if_match.split(",")]
    return any(
        tag == "*" or tag.removeprefix("W/") == current.removeprefix("W/") for tag in candidates
    )


def _check_if_match(request, application: PermitApplication, *, required: bool) -> None:
    if_match = request.headers.get("If-Match", "").strip()
    if not if_match:
        if required:
            raise PreconditionRequired()
        return
    if not _etag_matches(if_match, application_etag(application)):
        raise PreconditionFailed()


def application_queryset(user):
    return selectors.application_list(user=user).prefetch_related(
        Prefetch("goods", queryset=GoodsItem.objects.order_by("id")),
        Prefetch("parties", queryset=Party.objects.order_by("role", "id")),
        "licence",
        "proposed_lines",
        "proposed_conditions",
    )


class ApplicationMixin:
    """Finds the application of the URL among those the caller may see: else 404."""

    def get_application(self) -> PermitApplication:
        key = str(self.kwargs["id"])
        if "\x00" in key:
            # No identifier contains NUL, and PostgreSQL refuses it in a query.
            raise NotFound(_("No such application."))
        return selectors.application_get(user=self.request.user, key=key)

    def require_applicant_member(self, application: PermitApplication) -> None:
        if not rules.is_applicant_member(application, self.request.user):
            raise PermissionDenied(_("Only members of the applicant organisation can do this."))

    def application_response(self, application: PermitApplication, **kwargs) -> Response:
        fresh = application_queryset(self.request.user).filter(pk=application.pk).first()
        data = application_serializer_class(self.request.user)(fresh or application).data
        response = Response(data, **kwargs)
        response["ETag"] = application_etag(fresh or application)
        return response


# --- Applications -----------------------------------------------------------------------------


@extend_schema(tags=["applications"])
class ApplicationListCreateView(ApplicationMixin, generics.ListAPIView):
    filterset_class = ApplicationFilter
    pagination_class = FeedCursorPagination
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return application_queryset(self.request.user)

    def get_serializer_class(self):
        return application_serializer_class(self.request.user)

    def list(self, request, *args, **kwargs):
        # Values, not instances: see serializers.application_feed_items. Only the writing of
        # the items is this view's; the queryset, its filters and the paging are the list's.
        staff = is_staff_member(request.user)
        applications = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        if feed_sql.available(applications):
            # PostgreSQL writes each item's JSON (feed_sql): Python joins a page of texts.
            self.paginator.position_fields = ("created_at", "updated_at")
            item = feed_sql.application_item(staff=staff)
            page = self.paginate_queryset(
                feed_sql.feed_rows(
                    applications.select_related(None), item, ("created_at", "updated_at")
                )
            )
            return feed_sql.page_response(self.paginator, [row[0] for row in page])
        page = self.paginate_queryset(
            applications.values(*serializers.application_feed_values(staff=staff))
        )
        items = serializers.application_feed_items(page, staff=staff)
        return self.get_paginated_response(items)

    @extend_schema(
        summary="List the applications you may see",
        description="Applicants: their organisations' applications, drafts included. Staff "
        "and auditors: every submitted application.",
        responses=serializers.StaffApplicationSerializer(many=True),
        examples=[examples.APPLICATION_LIST],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a draft",
        parameters=[ETAG],
        request=serializers.DraftCreateSerializer,
        responses={201: serializers.ApplicantApplicationSerializer},
        examples=[examples.DRAFT_CREATE, examples.DRAFT_RESPONSE],
    )
    def post(self, request, *args, **kwargs):
        serializer = serializers.DraftCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        organisation = self._organisation(fields.pop("organisation", None))
        application = draft_actions.application_create_draft(
            organisation=organisation, actor=request.user, **fields
        )
        response = self.application_response(application, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/applications/{application.public_id}/"
        return response

    def _organisation(self, enterprise_number: str | None):
        user = self.request.user
        if not rules.can_create_application(user):
            raise PermissionDenied(_("Only applicants can file applications."))
        own = rules.organisations_with_right(user, "draft")
        if enterprise_number:
            digits = "".join(ch for ch in enterprise_number if ch.isdigit())
            match = own.filter(enterprise_number=digits).first()
            if match is None:
                raise TransitionGuardFailed(
                    {"organisation": [_("You are not a member of it.")]}, transition="create"
                )
            return match
        if own.count() != 1:
            raise TransitionGuardFailed(
                {"organisation": [_("You belong to several organisations: name one.")]},
                transition="create",
            )
        return own.get()


@extend_schema(tags=["applications"], parameters=[APPLICATION_ID])
class ApplicationDetailView(ApplicationMixin, APIView):
    @extend_schema(
        summary="Retrieve an application",
        parameters=[ETAG],
        responses={200: serializers.StaffApplicationSerializer},
        examples=[examples.DRAFT_RESPONSE],
    )
    def get(self, request, id):
        application = self.get_application()
        staff_read_log(request, application, ReadWhat.API)
        return self.application_response(application)

    @extend_schema(
        summary="Update a draft",
        description="Send `If-Match` with the ETag from GET: two editors cannot overwrite each "
        "other's changes. Only drafts can be edited, only by their applicant.",
        parameters=[IF_MATCH, ETAG],
        request=serializers.DraftUpdateSerializer,
        responses={200: serializers.ApplicantApplicationSerializer},
        examples=[examples.DRAFT_UPDATE, examples.DRAFT_RESPONSE],
    )
    def patch(self, request, id):
        application = self.get_application()
        self.require_applicant_member(application)
        if not request.headers.get("If-Match", "").strip():
            raise PreconditionRequired()
        serializer = serializers.DraftUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
            _check_if_match(request, locked, required=True)
            application = draft_actions.application_update_draft(
                application=locked, actor=request.user, **serializer.validated_data
            )
        return self.application_response(application)


class _NestedListCreate(ApplicationMixin, generics.ListAPIView):
    """Goods items or parties of a draft: list, and add while it is a draft."""

    input_serializer: type
    service = None
    ordering_fields: list[str] = []
    filter_backends: list = []
    pagination_class = None
    # The optional If-Match of an addition can be stale.
    extra_problem_statuses = {"POST": ("412",)}

    def get_serializer_class(self):
        return self.input_serializer

    def get_queryset(self):
        return self.input_serializer.Meta.model.objects.filter(
            application=self.get_application()
        ).order_by("id")

    def post(self, request, id):
        application = self.get_application()
        self.require_applicant_member(application)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
            _check_if_match(request, locked, required=False)
            item = type(self).service(
                application=locked, actor=request.user, **serializer.validated_data
            )
        response = Response(self.input_serializer(item).data, status=status.HTTP_201_CREATED)
        response["ETag"] = application_etag(locked)
        return response


@extend_schema(tags=["applications"], parameters=[APPLICATION_ID])
class GoodsListCreateView(_NestedListCreate):
    input_serializer = serializers.GoodsItemSerializer
    service = staticmethod(draft_actions.goods_item_add)

    @extend_schema(summary="List the goods of an application", examples=[examples.GOODS_LIST])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a goods item to a draft",
        parameters=[IF_MATCH_OPTIONAL],
        responses={201: serializers.GoodsItemSerializer},
        examples=[examples.GOODS_ITEM, examples.GOODS_ITEM_CREATED],
    )
    def post(self, request, id):
        return super().post(request, id)


@extend_schema(tags=["applications"], parameters=[APPLICATION_ID])
class PartyListCreateView(_NestedListCreate):
    input_serializer = serializers.PartySerializer
    service = staticmethod(draft_actions.party_add)

    @extend_schema(summary="List the parties of an application", examples=[examples.PARTY_LIST])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a party (consignee, end-user, …) to a draft",
        parameters=[IF_MATCH_OPTIONAL],
        responses={201: serializers.PartySerializer},
        examples=[examples.PARTY, examples.PARTY_CREATED],
    )
    def post(self, request, id):
        return super().post(request, id)


# --- Transitions ------------------------------------------------------------------------------

API_TRANSITIONS = transitions.API_TRANSITIONS


@extend_schema(tags=["transitions"], parameters=[APPLICATION_ID])
class TransitionListView(ApplicationMixin, APIView):
    @extend_schema(
        summary="The transitions you may perform on this application now",
        responses=serializers.TransitionSerializer(many=True),
        examples=[examples.TRANSITION_LIST],
    )
    def get(self, request, id):
        application = self.get_application()
        key = application.url_key
        data = [
            {
                "name": t.name,
                "label": transitions.label(t.name),
                "target": t.target,
                "href": f"/api/v1/applications/{key}/transitions/{t.name}/",
            }
            for t in application.get_available_user_status_transitions(request.user)
            if t.name in API_TRANSITIONS
        ]
        return Response(serializers.TransitionSerializer(data, many=True).data)


class TransitionView(ApplicationMixin, APIView):
    """POST one named transition; subclassed per transition below for its payload's schema."""

    transition_name = ""

    def post(self, request, id):
        application = self.get_application()
        payload_class = serializers.TRANSITION_UPLOAD_PAYLOADS.get(
            self.transition_name, serializers.TRANSITION_PAYLOADS[self.transition_name]
        )
        serializer = payload_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = TRANSITION_ACTIONS[self.transition_name]
        application = action(
            application=application, actor=request.user, **serializer.validated_data
        )
        return self.application_response(application)


def _transition_view(name: str) -> type[TransitionView]:
    def post(self, request, id):
        return TransitionView.post(self, request, id)

    request = serializers.TRANSITION_PAYLOADS[name]
    attributes = {}
    if name in serializers.TRANSITION_UPLOAD_PAYLOADS:
        request = {
            "application/json": request,
            "multipart/form-data": serializers.TRANSITION_UPLOAD_PAYLOADS[name],
        }
        attributes["parser_classes"] = [JSONParser, MultiPartParser, FormParser]
    post = extend_schema(
        operation_id=f"applications_transitions_{name}",
        summary=f"Transition: {name}",
        description=transitions.TRANSITIONS[name].api_description,
        request=request,
        responses={200: serializers.StaffApplicationSerializer},
        examples=examples.transition_examples(name),
    )(post)
    view = type(
        f"{name.title().replace('_', '')}TransitionView",
        (TransitionView,),
        {
            "transition_name": name,
            "post": post,
            "__module__": __name__,
            # accounts.permissions.SecondFactorPermission: deciding needs a second factor.
            "decides": name in transitions.DECIDING_TRANSITIONS,
            **attributes,
        },
    )
    return extend_schema(tags=["transitions"], parameters=[APPLICATION_ID])(view)


TRANSITION_VIEWS = {name: _transition_view(name) for name in API_TRANSITIONS}


# --- History ----------------------------------------------------------------------------------


class _HistoryBase(generics.ListAPIView):
    filterset_class = HistoryFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at"]

    def get_serializer_class(self):
        return history_serializer_class(self.request.user)


@extend_schema(tags=["history"], parameters=[APPLICATION_ID])
class ApplicationHistoryView(ApplicationMixin, _HistoryBase):
    @extend_schema(
        summary="History of an application",
        responses=serializers.StaffHistorySerializer(many=True),
        examples=[examples.HISTORY_PAGE],
    )
    def get(self, request, *args, **kwargs):
        self.application = self.get_application()
        staff_read_log(request, self.application, ReadWhat.API_HISTORY)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TransitionRecord.objects.none()
        return selectors.application_history(
            application=self.application, user=self.request.user
        ).select_related("application")


@extend_schema(tags=["history"])
class HistoryFeedView(_HistoryBase):
    pagination_class = FeedCursorPagination

    @extend_schema(
        summary="History feed of every application you may see",
        description="For auditors and statisticians: filter, order and follow the cursor to "
        "pull the complete decision history incrementally.",
        responses=serializers.StaffHistorySerializer(many=True),
        examples=[examples.HISTORY_PAGE],
    )
    def get(self, request, *args, **kwargs):
        # A bulk read (auditors pull whole years of it): on the replica when there is one.
        # The caller is authenticated and throttled on the primary before this.
        with bulk_reads():
            return super().get(request, *args, **kwargs)

    def get_queryset(self):
        visible = selectors.applications_visible_to(self.request.user)
        records = TransitionRecord.objects.filter(application__in=visible)
        return rules.history_visible_to(self.request.user, records)

    def list(self, request, *args, **kwargs):
        # Values, not instances: see serializers.history_feed_items; on PostgreSQL the
        # database writes each item's JSON (feed_sql).
        records = self.filter_queryset(self.get_queryset())
        staff = is_staff_member(request.user)
        if feed_sql.available(records):
            self.paginator.position_fields = ("created_at",)
            item = feed_sql.history_item(staff=staff)
            page = self.paginate_queryset(feed_sql.feed_rows(records, item, ("created_at",)))
            return feed_sql.page_response(self.paginator, [row[0] for row in page])
        page = self.paginate_queryset(records.values(*serializers.HISTORY_FEED_VALUES))
        items = serializers.history_feed_items(page, staff=staff)
        return self.get_paginated_response(items)


# --- Anything else under /api/v1/ ---------------------------------------------------------------


@extend_schema(exclude=True)
class NotFoundView(APIView):
    permission_classes: list = []
    authentication_classes: list = []
    throttle_classes: list = []

    def _not_found(self, request, *args, **kwargs):
        raise NotFound(_("No such API resource."))

    get = post = put = patch = delete = head = options = _not_found
