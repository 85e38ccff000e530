from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import Invalid
from backend.fields import AwareDateTimeField, StrictCharField
from backend.output import RowsOutput
from couples.api import MemberListMixin
from couples.selectors import couple_get_for_member

from . import selectors, services
from .models import Kind, SpacePeriod


class SpacePartnerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


STATUS_HELP = (
    "open, kept, late, missed or ended. Each partner sees every outcome of their own periods; "
    "of the partner's, a late or missed one reads as ended (no scorekeeping between partners)."
)


class SpaceOutput(RowsOutput, serializers.ModelSerializer):
    partner = SpacePartnerOutput(source="author", help_text="the partner taking space")
    is_mine = serializers.SerializerMethodField()
    extended = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)

    class Meta:
        model = SpacePeriod
        fields = [
            "id",
            "partner",
            "is_mine",
            "started_at",
            "reconnect_by",
            "first_reconnect_by",
            "extended",
            "note",
            "status",
            "reconnected_at",
            "kind",
            "latest_reconnect_by",
        ]

    def get_is_mine(self, period) -> bool:
        return period.author_id == self.context["user"].pk

    def get_extended(self, period) -> bool:
        return period.reconnect_by > period.first_reconnect_by

    @extend_schema_field(serializers.ChoiceField(choices=SpacePeriod._meta.get_field("status").choices))
    def get_status(self, period) -> str:
        return selectors.status_seen_by(period=period, viewer_id=self.context["user"].pk)

    def to_representation(self, period):
        # The fields above, written at once: DRF's field-by-field pass was
        # most of a page's cost (tests/test_list_queries.py pins equality).
        # Lists annotate ``author_name`` rather than load the author's row.
        name = period.author_name if hasattr(period, "author_name") else period.author.display_name
        return {
            "id": period.pk,
            "partner": {"id": period.author_id, "display_name": name},
            "is_mine": period.author_id == self.context["user"].pk,
            "started_at": self.dt(period.started_at),
            "reconnect_by": self.dt(period.reconnect_by),
            "first_reconnect_by": self.dt(period.first_reconnect_by),
            "extended": period.reconnect_by > period.first_reconnect_by,
            "note": period.note,
            "status": self.get_status(period),
            "reconnected_at": self.dt(period.reconnected_at),
            "kind": period.kind,
            "latest_reconnect_by": self.dt(period.latest_reconnect_by),
        }


def _data(period: SpacePeriod, request) -> dict:
    return SpaceOutput(period, context={"user": request.user}).data


class SpaceListApi(MemberListMixin, GenericAPIView):
    """The couple's times of taking space, newest first; and taking space."""

    serializer_class = SpaceOutput

    class SpaceTakeInput(serializers.Serializer):
        reconnect_by = AwareDateTimeField(help_text="15 minutes to 24 hours from now")
        note = StrictCharField(required=False, default="", allow_blank=True, trim_whitespace=False)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=list(selectors.STATUSES),
                required=False,
                description="as each period's status reads to the caller: late and missed list only the caller's "
                "own; ended includes the partner's late and missed ones",
            )
        ],
        responses=SpaceOutput(many=True),
    )
    def get(self, request):
        wanted = request.query_params.get("status")
        if wanted is not None and wanted not in selectors.STATUSES:
            raise Invalid(
                gettext("Use one of: %(values)s.") % {"values": ", ".join(selectors.STATUSES)}, field="status"
            )
        page = self.paginate_for_member(selectors.SPACE_ROWS.bind(user=request.user, status=wanted))
        return self.get_paginated_response(SpaceOutput(page, many=True, context={"user": request.user}).data)

    @extend_schema(request=SpaceTakeInput, responses={201: SpaceOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = self.SpaceTakeInput(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.space_take(couple=couple, user=request.user, **data.validated_data)
        return Response(_data(period, request), status=status.HTTP_201_CREATED)


class SpaceCurrentApi(GenericAPIView):
    """The couple's open periods: the viewer's own first, then the partner's."""

    serializer_class = SpaceOutput

    @extend_schema(responses=SpaceOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.space_current_for_member(user=request.user))
        return self.get_paginated_response(SpaceOutput(page, many=True, context={"user": request.user}).data)


class SpaceDetailApi(APIView):
    @extend_schema(responses=SpaceOutput)
    def get(self, request, period_id: int):
        return Response(_data(selectors.space_get_for_member(user=request.user, period_id=period_id), request))


class SpaceReconnectOutput(SpaceOutput):
    repair_offer = serializers.BooleanField(
        help_text="true when a time-out ends: both are offered a repair conversation"
    )

    class Meta(SpaceOutput.Meta):
        fields = [*SpaceOutput.Meta.fields, "repair_offer"]


class SpaceReconnectApi(APIView):
    @extend_schema(request=None, responses=SpaceReconnectOutput)
    def post(self, request, period_id: int):
        period = selectors.space_get_for_member(user=request.user, period_id=period_id)
        period = services.space_reconnect(period=period, user=request.user)
        return Response({**_data(period, request), "repair_offer": period.kind == Kind.TIMEOUT})


class SpaceExtendApi(APIView):
    class SpaceExtendInput(serializers.Serializer):
        reconnect_by = AwareDateTimeField(help_text="later than the current time, within 24 hours from now")

    @extend_schema(request=SpaceExtendInput, responses=SpaceOutput)
    def post(self, request, period_id: int):
        period = selectors.space_get_for_member(user=request.user, period_id=period_id)
        data = self.SpaceExtendInput(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.space_extend(period=period, user=request.user, **data.validated_data)
        return Response(_data(period, request))


class SpaceFollowthroughApi(APIView):
    class SpaceFollowthroughOutput(serializers.Serializer):
        weeks = serializers.IntegerField()
        kept = serializers.IntegerField(help_text="periods either partner came back from on time: the couple's")
        late = serializers.IntegerField(help_text="the caller's own periods only (since v1.1: never the partner's)")
        missed = serializers.IntegerField(help_text="the caller's own periods only (since v1.1: never the partner's)")
        open = serializers.IntegerField(help_text="the couple's open periods")
        extended = serializers.IntegerField(help_text="of the periods counted here, those moved later in time")
        total = serializers.IntegerField(
            help_text="the periods counted here: the couple's kept and open ones and the caller's own late and "
            "missed ones (the partner's late and missed count nowhere)"
        )

    @extend_schema(
        description="Follow-through on promises to reconnect, as the caller may see it: what the couple did "
        "together, and the caller's own late and missed returns, never the partner's (no scorekeeping "
        "between partners). A consenting therapist's summary has the full counts.",
        parameters=[
            OpenApiParameter(
                "weeks",
                {"type": "integer", "minimum": 1, "maximum": 52},
                required=False,
                description="how many weeks back, 1-52 (8)",
            )
        ],
        responses=SpaceFollowthroughOutput,
    )
    def get(self, request):
        couple = couple_get_for_member(user=request.user)
        raw = request.query_params.get("weeks", "8")
        if not raw.isdigit() or not 1 <= int(raw) <= 52:
            raise Invalid(gettext("weeks must be a whole number from 1 to 52."), field="weeks")
        counts = selectors.space_followthrough_for_member(couple=couple, viewer=request.user, weeks=int(raw))
        counts.pop("kept_mine")
        return Response({"weeks": int(raw), **counts})
