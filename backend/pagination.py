from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import PageNumberPagination

from .errors import Invalid
from .prepared import TOTAL, BoundList, count_of


class CountingPaginator(Paginator):
    """Django's paginator, but the page's rows bring the total with them
    (``backend.prepared.count_of``, a count subquery in the page's
    statement): one query per page instead of a ``COUNT(*)`` and then the
    rows. Every list paid that second query (bench/api.py,
    issue #16). Only an empty page (past the last, or no rows at all) asks
    for the count on its own, to tell the two apart as before.

    A list prepared once per process (``backend.prepared.BoundList``) runs
    its own statement, which carries the same count. A queryset the subquery
    cannot count the same way falls back to Django's own paging: ``DISTINCT``, a union, one already
    sliced, and ``values_list`` rows (no place for the total)."""

    def page(self, number):
        qs = self.object_list
        bottom = (int(number) - 1) * self.per_page if str(number).isdigit() else -1
        if isinstance(qs, BoundList) and 0 <= bottom < 2**62:
            rows = qs.page(bottom, self.per_page)
        elif not self._countable(qs) or not 0 <= bottom < 2**62:
            return super().page(number)
        else:
            rows = list(qs.annotate(**{TOTAL: count_of(qs)})[bottom : bottom + self.per_page])
        if not rows:
            return super().page(number)  # counts: an empty first page, or one past the last (404)
        if isinstance(rows[0], dict):
            self.__dict__["count"] = rows[0][TOTAL]
            for row in rows:
                del row[TOTAL]
        else:
            self.__dict__["count"] = getattr(rows[0], TOTAL)
            for row in rows:
                delattr(row, TOTAL)
        return self._get_page(rows, self.validate_number(number), self)

    @staticmethod
    def _countable(qs) -> bool:
        if not isinstance(qs, QuerySet) or qs._iterable_class not in (ModelIterable, ValuesIterable):
            return False
        query = qs.query
        return not (query.distinct or query.combinator or query.is_sliced or TOTAL in query.annotations)


class Pagination(PageNumberPagination):
    """DRF's page-number pagination, but a page or page_size that is not a
    whole number in range is a 400 (DRF quietly used the default, and read
    "?page=" as the first page), and the schema says what each parameter
    takes. A page past the last is DRF's 404 ("Invalid page.")."""

    django_paginator_class = CountingPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not raw.isdigit() or int(raw) < 1:
            raise Invalid(gettext("page must be a whole number of 1 or more."), field="page")
        return raw

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise Invalid(
                gettext("page_size must be a whole number from 1 to %(max)d.") % {"max": self.max_page_size},
                field="page_size",
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(self._bounds()[parameter["name"]])
        return parameters

    @classmethod
    def _bounds(cls) -> dict:
        return {
            cls.page_query_param: {"minimum": 1},
            cls.page_size_query_param: {"minimum": 1, "maximum": cls.max_page_size},
        }

    @classmethod
    def schema_parameters(cls) -> list[OpenApiParameter]:
        """For a view that pages by hand, with its own response shape."""
        return [
            OpenApiParameter(name, {"type": "integer", **bounds}, required=False)
            for name, bounds in cls._bounds().items()
        ]
