"""Read-only JSON API of the directory under /api/v1/directory/ (public, GET only)."""

from __future__ import annotations

import django_filters
from rest_framework import filters, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import APIRootView, DefaultRouter

from config.api.filters import StrictDjangoFilterBackend
from config.api.pagination import StrictPaging

from . import selectors, serializers
from .models import Partner, Person, Portfolio
from .search import filter_folded


class DirectoryPagination(StrictPaging, PageNumberPagination):
    """Pages by number, with the API's strict paging parameters (and ``q`` given once)."""

    def single_valued_parameters(self) -> list[str]:
        return [self.page_query_param, self.page_size_query_param, "q"]

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters


class FoldedSearchFilter(filters.BaseFilterBackend):
    """``?q=``: the same accent-insensitive search as the pages (see directory.search)."""

    def filter_queryset(self, request, queryset, view):
        query = request.query_params.get("q", "").strip()
        if query and hasattr(queryset.model, "search_text"):
            return filter_folded(queryset, query)
        return queryset


class PublicReadOnly:
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]


class DirectoryViewSet(PublicReadOnly, viewsets.ReadOnlyModelViewSet):
    lookup_field = "key"
    pagination_class = DirectoryPagination
    filter_backends = [FoldedSearchFilter, StrictDjangoFilterBackend]


class PersonFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(method="filter_unit", label="unit key (current members)")

    class Meta:
        model = Person
        fields = ["unit"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(positions__unit__key=value, positions__is_current=True).distinct()


class PartnerFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")

    class Meta:
        model = Partner
        fields = ["status", "relationship", "place", "country"]


class PortfolioFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(field_name="person__key")
    partner = django_filters.CharFilter(field_name="partner__key")
    network = django_filters.CharFilter(field_name="network__key")
    source = django_filters.CharFilter(field_name="source__key")
    current = django_filters.BooleanFilter(field_name="is_current")

    class Meta:
        model = Portfolio
        fields = ["person", "partner", "network", "source", "current"]


class OrganisationViewSet(DirectoryViewSet):
    queryset = selectors.organisation_list()
    serializer_class = serializers.OrganisationSerializer
    filterset_fields = ["kind"]


class UnitViewSet(DirectoryViewSet):
    queryset = selectors.unit_list()
    serializer_class = serializers.UnitSerializer


class PersonViewSet(DirectoryViewSet):
    queryset = selectors.person_list()
    serializer_class = serializers.PersonSerializer
    filterset_class = PersonFilter


class PartnerViewSet(DirectoryViewSet):
    queryset = selectors.partner_list()
    serializer_class = serializers.PartnerSerializer
    filterset_class = PartnerFilter


class NetworkViewSet(DirectoryViewSet):
    queryset = selectors.network_list()
    serializer_class = serializers.NetworkSerializer
    filterset_fields = ["kind"]


class PortfolioViewSet(DirectoryViewSet):
    queryset = selectors.portfolio_list()
    serializer_class = serializers.PortfolioSerializer
    filterset_class = PortfolioFilter


class RepresentationViewSet(DirectoryViewSet):
    queryset = selectors.representation_list()
    serializer_class = serializers.RepresentationSerializer
    filterset_fields = ["kind"]


class SourceViewSet(DirectoryViewSet):
    queryset = selectors.source_list()
    serializer_class = serializers.SourceSerializer


class DirectoryRootView(PublicReadOnly, APIRootView):
    pass


class DirectoryRouter(DefaultRouter):
    APIRootView = DirectoryRootView


router = DirectoryRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("partners", PartnerViewSet, basename="partner")
router.register("networks", NetworkViewSet, basename="network")
router.register("portfolios", PortfolioViewSet, basename="portfolio")
router.register("representations", RepresentationViewSet, basename="representation")
router.register("sources", SourceViewSet, basename="source")
