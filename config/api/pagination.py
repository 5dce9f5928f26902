"""Cursor pagination for every list of the API: stable under inserts, opaque cursors."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from .params import refuse_repeated, whole_number_in_range


class StrictPaging:
    """What every paginator of the API shares: its paging parameters are given at most once,
    and a page size outside 1…max is refused with a 400 naming it, never clamped silently."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def single_valued_parameters(self) -> list[str]:
        return [self.page_size_query_param]

    def paginate_queryset(self, queryset, request, view=None):
        refuse_repeated(request, self.single_valued_parameters())
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        size = whole_number_in_range(
            request, self.page_size_query_param, low=1, high=self.max_page_size
        )
        return self.page_size if size is None else size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class CursorPagination(StrictPaging, pagination.CursorPagination):
    ordering = "-created_at"

    def single_valued_parameters(self) -> list[str]:
        return [self.cursor_query_param, self.page_size_query_param]

    def decode_cursor(self, request):
        # Every list orders by a timestamp: a forged cursor whose position is not one must be
        # refused here, not fail in the database.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                valid = parse_datetime(cursor.position) is not None
            except ValueError:
                valid = False
            if not valid:
                raise NotFound(self.invalid_cursor_message)
        return cursor


class FeedCursorPagination(CursorPagination):
    """The bulk feeds (the applications list and the history feed): pages of up to 1,000.

    Their items are written by the database as JSON text (permits.api.feed_sql), so a page
    costs a fixed part (authentication, filters, the query) plus a small one per row; at 200
    rows a page the fixed part was most of the time of a client paging through a year. A page
    of 1,000 is about 0.6 MB of history or 1.8 MB of applications: bounded, held once.
    """

    max_page_size = 1000
    # A feed's rows may be tuples: the item's JSON text, then the text of each ordering field
    # (as ``str()`` of its value writes it: the cursor is the one the dicts gave) named here.
    position_fields: tuple[str, ...] = ()

    def _get_position_from_instance(self, instance, ordering):
        if isinstance(instance, tuple):
            return instance[1 + self.position_fields.index(ordering[0].lstrip("-"))]
        return super()._get_position_from_instance(instance, ordering)
