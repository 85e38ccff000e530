"""``/api/v1/promises/`` and ``/api/v1/repairs/trend/`` (API.md, "Added in
v1.1"). The list has no count: a page says only whether there is a next
one (no score, count or percentage; ``?state=missed`` is the caller's own)."""

from collections import OrderedDict

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import Invalid
from backend.fields import AwareDateTimeField
from backend.pagination import Pagination
from couples.api import MemberListMixin
from couples.selectors import couple_get_for_member
from repair.trend import repair_trend

from . import selectors, services

STATE_HELP = (
    "open, kept, renegotiated, missed or ended. Each partner sees every outcome of their own promises; of the "
    "partner's, a missed one reads as ended. `missed` lists only the caller's own."
)


class SourceOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=["space", "timeout", "commitment", "checkin", "agreement"])
    id = serializers.IntegerField()


class PromiseOutput(serializers.Serializer):
    id = serializers.CharField(help_text="the promise's ledger id, like `commitment-12`")
    kind = serializers.ChoiceField(choices=list(selectors.KINDS))
    made_by = serializers.IntegerField(allow_null=True, help_text="the maker's user id; `null`: the couple together")
    is_mine = serializers.BooleanField(help_text="made by the caller, or by the couple together")
    due_at = serializers.DateTimeField()
    first_due_at = serializers.DateTimeField(help_text="the time first given (before any renegotiation)")
    state = serializers.ChoiceField(choices=list(selectors.STATES), help_text=STATE_HELP)
    renegotiated_at = serializers.DateTimeField(allow_null=True)
    kept_at = serializers.DateTimeField(allow_null=True)
    source = SourceOutput()


def promise_data(row: dict, *, viewer_id: int | None) -> dict:
    """One ledger row as the API and the pages show it."""
    return {
        "id": row["p_id"],
        "kind": row["p_kind"],
        "made_by": row["p_made_by"],
        "is_mine": viewer_id is not None and row["p_made_by"] in (None, viewer_id),
        "due_at": row["p_due"],
        "first_due_at": row["p_first_due"],
        "state": row["p_seen"],
        "renegotiated_at": row["p_renegotiated_at"],
        "kept_at": row["p_closed_at"] if row["p_seen"] == selectors.KEPT else None,
        "source": {"type": row["p_source_type"], "id": row["p_source_id"]},
    }


class LedgerPagination(Pagination):
    """Page-number pages without a total: one query, one row past the page
    tells whether there is a next one. A page past the last is 404."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        number = int(self.get_page_number(request, None))
        start = (number - 1) * size
        rows = list(queryset[start : start + size + 1]) if start < 2**62 else []
        if number > 1 and not rows:
            raise NotFound(gettext("Invalid page."))  # a page past the last, as every other list
        self.number, self.has_next = number, len(rows) > size
        return rows[:size]

    def _link(self, number: int) -> str:
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("next", self._link(self.number + 1) if self.has_next else None),
                    ("previous", self._link(self.number - 1) if self.number > 1 else None),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


class PromiseListApi(MemberListMixin, GenericAPIView):
    """The couple's promises, due time newest first."""

    serializer_class = PromiseOutput
    pagination_class = LedgerPagination

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=list(selectors.STATES), description=STATE_HELP)],
        responses=PromiseOutput(many=True),
    )
    def get(self, request):
        wanted = request.query_params.get("state")
        if wanted is not None and wanted not in selectors.STATES:
            raise Invalid(
                gettext("state must be one of: %(values)s.") % {"values": ", ".join(selectors.STATES)}, field="state"
            )
        rows = self.paginate_for_member(selectors.ledger_for_member(user=request.user, state=wanted))
        data = [promise_data(r, viewer_id=request.user.pk) for r in rows]
        return self.get_paginated_response(PromiseOutput(data, many=True).data)


class RenegotiateInput(serializers.Serializer):
    due_at = AwareDateTimeField(help_text="the new time, later than the current one, with its offset")


class PromiseRenegotiateApi(APIView):
    @extend_schema(request=RenegotiateInput, responses=PromiseOutput)
    def post(self, request, promise_id: str):
        selectors.parse_promise_id(promise_id)
        body = RenegotiateInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.promise_renegotiate(user=request.user, promise_id=promise_id, due_at=body.validated_data["due_at"])
        return Response(PromiseOutput(_one(request.user, promise_id)).data)


class PromiseKeepApi(APIView):
    @extend_schema(request=None, responses=PromiseOutput)
    def post(self, request, promise_id: str):
        services.promise_keep(user=request.user, promise_id=promise_id)
        return Response(PromiseOutput(_one(request.user, promise_id)).data)


def _one(user, promise_id: str) -> dict:
    row = selectors.promise_get_for_member(user=user, promise_id=promise_id)
    return promise_data(row, viewer_id=user.pk)


class TrendMonthOutput(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, in the couple's timezone")
    median_minutes = serializers.IntegerField()


class TrendOutput(serializers.Serializer):
    timezone = serializers.CharField()
    months = TrendMonthOutput(many=True)


class RepairTrendApi(APIView):
    @extend_schema(
        summary="Per month, the median minutes from a time-out's start to a completed repair; no counts",
        responses=TrendOutput,
    )
    def get(self, request):
        couple = couple_get_for_member(user=request.user)
        return Response(TrendOutput(repair_trend(couple=couple, now=timezone.now())).data)
