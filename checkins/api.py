from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.timezones import validate_timezone
from backend.errors import Conflict, Invalid
from backend.fields import LocalTimeField, StrictBooleanField, StrictCharField, StrictIntegerField
from backend.output import current_zone, datetime_out
from backend.schema import AutoSchema
from couples.api import MemberListMixin
from couples.selectors import couple_get_for_member

from . import selectors, services
from .formats import shown, shown_step
from .models import CheckIn, Format, Schedule

# --- output ---------------------------------------------------------------------


class StepOutput(serializers.Serializer):
    key = serializers.CharField()
    prompt = serializers.CharField()
    kind = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField(), required=False)
    help = serializers.CharField(required=False)

    def to_representation(self, instance):
        # A built-in step's words in the reader's language (formats.shown).
        return super().to_representation(shown_step(instance) if isinstance(instance, dict) else instance)


class FormatOutput(serializers.ModelSerializer):
    steps = StepOutput(many=True)
    custom = serializers.SerializerMethodField()

    class Meta:
        model = Format
        fields = ["key", "name", "description", "minutes", "steps", "custom"]

    def get_custom(self, obj) -> bool:
        return obj.couple_id is not None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["name"], data["description"] = shown(data["name"]), shown(data["description"])
        return data


class ScheduleOutput(serializers.ModelSerializer):
    format = serializers.CharField(source="format.key")
    format_name = serializers.CharField(source="format.shown_name")
    time = LocalTimeField()
    weekdays = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = Schedule
        fields = [
            "id",
            "format",
            "format_name",
            "weekdays",
            "time",
            "timezone",
            "status",
            "version",
            "proposed_by",
            "accepted_by",
            "accepted_at",
            "paused_by",
        ]


# One row of selectors.checkin_rows_for_member (a dict, not a check-in): the
# list reads only the columns it shows. Declared to give the same schema as
# the ModelSerializer it replaces (a comment, not a docstring: that would
# become the schema's description).
class CheckInListOutput(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    format = serializers.CharField(source="format__key")
    format_name = serializers.SerializerMethodField()
    scheduled_for = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    status = serializers.SerializerMethodField()
    revealed_at = serializers.DateTimeField(allow_null=True, required=False)
    my_state = serializers.SerializerMethodField()

    def get_format_name(self, row) -> str:
        return shown(row["format__name"])

    def get_status(self, row) -> str:
        return CheckIn.status_from(row["revealed_at"], row["scheduled_for"], row["closes_at"], self.context["now"])

    def get_my_state(self, row) -> str:
        return selectors.my_state_of(row)


def checkin_list_data(rows, *, now) -> list[dict]:
    """What ``CheckInListOutput(rows, many=True).data`` gives, built directly:
    DRF's per-field machinery was most of the list's time (profiled at 50
    rows). CheckInListOutput stays the schema; a test holds the two equal."""
    tz = current_zone()
    status_from, my_state_of = CheckIn.status_from, selectors.my_state_of
    return [
        {
            "id": row["id"],
            "format": row["format__key"],
            "format_name": shown(row["format__name"]),
            "scheduled_for": datetime_out(row["scheduled_for"], tz),
            "closes_at": datetime_out(row["closes_at"], tz),
            "status": status_from(row["revealed_at"], row["scheduled_for"], row["closes_at"], now),
            "revealed_at": datetime_out(row["revealed_at"], tz),
            "my_state": my_state_of(row),
        }
        for row in rows
    ]


class CheckInDetailOutput(serializers.ModelSerializer):
    format = serializers.CharField(source="format.key")
    format_name = serializers.CharField(source="format.shown_name")
    status = serializers.SerializerMethodField()
    my_state = serializers.SerializerMethodField()
    steps = StepOutput(many=True)
    my_answers = serializers.SerializerMethodField()
    partner_answers = serializers.SerializerMethodField()
    last_event_seq = serializers.IntegerField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "format",
            "format_name",
            "scheduled_for",
            "closes_at",
            "status",
            "revealed_at",
            "my_state",
            "steps",
            "my_answers",
            "partner_answers",
            "last_event_seq",
        ]

    def get_status(self, obj) -> str:
        return obj.status_at(self.context["now"])

    def get_my_state(self, obj) -> str:
        return selectors.my_state(self.context["mine"])

    @extend_schema_field({"type": "object", "nullable": True, "description": "null until you saved an answer"})
    def get_my_answers(self, obj):
        mine = self.context["mine"]
        return mine.values if mine is not None else None

    @extend_schema_field({"type": "object", "nullable": True, "description": "null until both partners submitted"})
    def get_partner_answers(self, obj):
        partner = self.context["partner"]
        return partner.values if partner is not None else None


def checkin_detail_data(*, checkin: CheckIn, user, now=None) -> dict:
    mine, partner = selectors.checkin_answers_for(checkin=checkin, user=user)
    context = {"now": now or timezone.now(), "mine": mine, "partner": partner}
    return CheckInDetailOutput(checkin, context=context).data


class EventOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    created_at = serializers.DateTimeField()


class EventsOutput(serializers.Serializer):
    checkin = serializers.IntegerField()
    last_seq = serializers.IntegerField(help_text="the check-in's last event number")
    results = EventOutput(many=True, help_text="the events after `since`, oldest first, at most 500")


# --- formats -----------------------------------------------------------------------


class FormatListApi(GenericAPIView):
    serializer_class = FormatOutput

    class FormatInput(serializers.Serializer):
        name = StrictCharField(max_length=80)
        description = StrictCharField(max_length=300, required=False, default="", allow_blank=True)
        steps = serializers.JSONField()

    @extend_schema(responses=FormatOutput(many=True))
    def get(self, request):
        couple = couple_get_for_member(user=request.user)
        page = self.paginate_queryset(selectors.formats_for_couple(couple=couple))
        return self.get_paginated_response(FormatOutput(page, many=True).data)

    @extend_schema(request=FormatInput, responses={201: FormatOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = self.FormatInput(data=request.data)
        data.is_valid(raise_exception=True)
        fmt = services.format_create(couple=couple, user=request.user, **data.validated_data)
        return Response(FormatOutput(fmt).data, status=status.HTTP_201_CREATED)


# --- schedules ---------------------------------------------------------------------


class ScheduleInput(serializers.Serializer):
    format = StrictCharField(max_length=64)
    weekdays = serializers.ListField(child=StrictIntegerField(min_value=0, max_value=6), min_length=1, max_length=7)
    time = LocalTimeField()
    timezone = StrictCharField(max_length=64, validators=[validate_timezone], required=False)


def _resolve_format(*, couple, key: str) -> Format:
    fmt = selectors.format_get_for_couple(couple=couple, key=key)
    if fmt is None:
        raise Invalid(gettext("There is no format with this key."), field="format")
    return fmt


class ScheduleListApi(GenericAPIView):
    serializer_class = ScheduleOutput

    @extend_schema(responses=ScheduleOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.schedules_for_member(user=request.user))
        return self.get_paginated_response(ScheduleOutput(page, many=True).data)

    @extend_schema(request=ScheduleInput, responses={201: ScheduleOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = ScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        schedule = services.schedule_propose(
            couple=couple,
            user=request.user,
            format=_resolve_format(couple=couple, key=v["format"]),
            weekdays=v["weekdays"],
            time=v["time"],
            timezone_name=v.get("timezone"),
        )
        return Response(ScheduleOutput(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleDetailApi(APIView):
    class SchedulePatchInput(ScheduleInput):
        pass

    @extend_schema(responses=ScheduleOutput)
    def get(self, request, schedule_id: int):
        schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
        return Response(ScheduleOutput(schedule).data)

    @extend_schema(request=SchedulePatchInput, responses=ScheduleOutput)
    def patch(self, request, schedule_id: int):
        schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
        data = self.SchedulePatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if not fields:
            raise Invalid(gettext("Nothing to change."))
        if "format" in fields:
            fields["format"] = _resolve_format(couple=schedule.couple, key=fields["format"])
        schedule = services.schedule_update(schedule=schedule, user=request.user, fields=fields)
        return Response(ScheduleOutput(schedule).data)

    @extend_schema(responses={204: None})
    def delete(self, request, schedule_id: int):
        schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
        services.schedule_delete(schedule=schedule, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleAcceptApi(APIView):
    class AcceptInput(serializers.Serializer):
        version = StrictIntegerField(required=False, help_text="The version you read; a stale one gets 409.")

    @extend_schema(request=AcceptInput, responses=ScheduleOutput)
    def post(self, request, schedule_id: int):
        schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
        data = self.AcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = services.schedule_accept(schedule=schedule, user=request.user, **data.validated_data)
        return Response(ScheduleOutput(schedule).data)


class SchedulePauseApi(APIView):
    @extend_schema(request=None, responses=ScheduleOutput)
    def post(self, request, schedule_id: int):
        schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
        return Response(ScheduleOutput(services.schedule_pause(schedule=schedule, user=request.user)).data)


class ScheduleResumeApi(APIView):
    @extend_schema(request=None, responses=ScheduleOutput)
    def post(self, request, schedule_id: int):
        schedule = selectors.schedule_get_for_member(user=request.user, schedule_id=schedule_id)
        return Response(ScheduleOutput(services.schedule_resume(schedule=schedule, user=request.user)).data)


# --- check-ins ---------------------------------------------------------------------


class CheckInListApi(MemberListMixin, GenericAPIView):
    serializer_class = CheckInListOutput

    class StartInput(serializers.Serializer):
        format = StrictCharField(max_length=64)

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(selectors.STATUSES), required=False)],
        responses=CheckInListOutput(many=True),
    )
    def get(self, request):
        wanted = request.query_params.get("status")
        if wanted is not None and wanted not in selectors.STATUSES:
            raise Invalid(
                gettext("Use one of: %(values)s.") % {"values": ", ".join(selectors.STATUSES)}, field="status"
            )
        now = timezone.now()
        page = self.paginate_for_member(selectors.CHECKIN_ROWS.bind(user=request.user, status=wanted, now=now))
        return self.get_paginated_response(checkin_list_data(page, now=now))

    @extend_schema(request=StartInput, responses={201: CheckInDetailOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = self.StartInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["format"] == services.REPAIR_KEY:
            # A repair conversation is not a check-in: it has its own steps,
            # reveal and life (repair.conversation), reached through /repairs/.
            raise Conflict(gettext("A repair conversation starts at /api/v1/repairs/, not as a check-in."))
        fmt = _resolve_format(couple=couple, key=data.validated_data["format"])
        checkin = services.checkin_start(couple=couple, user=request.user, format=fmt)
        return Response(checkin_detail_data(checkin=checkin, user=request.user), status=status.HTTP_201_CREATED)


class CheckInDetailApi(APIView):
    @extend_schema(responses=CheckInDetailOutput)
    def get(self, request, checkin_id: int):
        checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
        return Response(checkin_detail_data(checkin=checkin, user=request.user))


class CheckInAnswersApi(APIView):
    class AnswersInput(serializers.Serializer):
        answers = serializers.DictField(help_text="{step_key: value}")
        submit = StrictBooleanField(default=True, help_text="false saves a draft; true sends (every step answered)")

    @extend_schema(request=AnswersInput, responses=CheckInDetailOutput)
    def put(self, request, checkin_id: int):
        checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
        data = self.AnswersInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkin = services.checkin_answer(
            checkin=checkin,
            author=request.user,
            values=data.validated_data["answers"],
            submit=data.validated_data["submit"],
        )
        return Response(checkin_detail_data(checkin=checkin, user=request.user))


class CheckInSkipApi(APIView):
    class SkipInput(serializers.Serializer):
        reason = StrictCharField(max_length=500, required=False, default="", allow_blank=True)

    @extend_schema(request=SkipInput, responses=CheckInDetailOutput)
    def post(self, request, checkin_id: int):
        checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
        data = self.SkipInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkin = services.checkin_skip(checkin=checkin, author=request.user, reason=data.validated_data["reason"])
        return Response(checkin_detail_data(checkin=checkin, user=request.user))


class CheckInEventsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                {"type": "integer", "minimum": 0, "maximum": 999_999_999},
                required=False,
                description="the last sequence number you have",
            )
        ],
        responses=EventsOutput,
    )
    def get(self, request, checkin_id: int):
        checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
        raw = request.query_params.get("since", "0")
        if not raw.isdigit() or len(raw) > 9:
            raise Invalid(gettext("since must be a whole number of 0 or more."), field="since")
        events = list(selectors.checkin_events_since(checkin=checkin, since=int(raw))[:500])
        return Response(
            EventsOutput({"checkin": checkin.pk, "last_seq": checkin.last_event_seq, "results": events}).data
        )


class InsightsApi(APIView):
    @extend_schema(
        description="The couple's consistency (check-ins completed together) and the caller's own moods. "
        "Since v1.1 ``moods`` holds only the caller's series (a list of one, or empty): the partner's mood "
        "is seen at each reveal, never as a chart (no scorekeeping between partners).",
        responses={
            200: {
                "type": "object",
                "properties": {
                    "consistency": {"type": "object", "description": "the couple's, the same for both partners"},
                    "moods": {
                        "type": "array",
                        "items": {"type": "object"},
                        "description": "the caller's own mood series from revealed check-ins (at most one)",
                    },
                },
            }
        },
    )
    def get(self, request):
        couple = couple_get_for_member(user=request.user)
        return Response(
            {
                "consistency": selectors.consistency_for_couple(couple=couple),
                "moods": selectors.mood_series_for_member(user=request.user, couple=couple),
            }
        )


# --- live session ------------------------------------------------------------------


class LiveStepOutput(StepOutput):
    index = serializers.IntegerField()
    revealed = serializers.BooleanField()
    mine = serializers.JSONField(allow_null=True)
    partner = serializers.JSONField(allow_null=True, help_text="null until both answered this step")


class LiveBreakOutput(serializers.Serializer):
    by = serializers.IntegerField(help_text="who asked for the break")
    until = serializers.DateTimeField(help_text="when it ends (a time-out: its return time as it stands now)")
    back_around = serializers.CharField(help_text="that time as HH:MM on the caller's own clock")
    timeout = serializers.IntegerField(
        allow_null=True, help_text="the time-out this break is (GET /api/v1/timeouts/{id}/), or null for a plain break"
    )
    can_end = serializers.BooleanField(help_text="whether the caller may end it early: only the one who asked")


class LiveSnapshotOutput(serializers.Serializer):
    checkin = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["active", "paused", "finished"])
    step_index = serializers.IntegerField()
    steps = LiveStepOutput(many=True)
    ready = serializers.ListField(child=serializers.IntegerField())
    me_ready = serializers.BooleanField()
    paused_until = serializers.DateTimeField(allow_null=True)
    paused_by = serializers.IntegerField(allow_null=True)
    on_break = LiveBreakOutput(allow_null=True, help_text="the break while there is one, else null")
    last_event_seq = serializers.IntegerField()
    partner_name = serializers.CharField(allow_null=True)


def _snapshot(checkin, user) -> dict:
    return LiveSnapshotOutput(selectors.live_snapshot(checkin=checkin, user=user)).data


class LiveSessionApi(APIView):
    @extend_schema(responses=LiveSnapshotOutput)
    def get(self, request, checkin_id: int):
        checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
        return Response(_snapshot(checkin, request.user))


class LiveAnswerInput(serializers.Serializer):
    step = StrictCharField(max_length=40)
    value = serializers.JSONField()


class LivePauseInput(serializers.Serializer):
    # The bounds depend on the couple's time-out rules (checkins.breaks):
    # the service checks them; here only what no rule allows.
    minutes = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text="how long: 20 to 60 minutes (default 20); with time-out rules in force, within them (default "
        "their minimum), and the break is a time-out",
    )


# The live actions over REST, each the socket message of the same name
# (docs/realtime.md): (its input, if it has one; its service).
LIVE_ACTIONS = {
    "answer": (LiveAnswerInput, services.live_answer),
    "ready": (None, services.live_ready),
    "pause": (LivePauseInput, services.live_pause),
    "resume": (None, services.live_resume),
}


class _LiveActionSchema(AutoSchema):
    """Each URL's own request body (or none) in the OpenAPI schema."""

    def get_request_serializer(self):
        return LIVE_ACTIONS[self.view.live_action][0]

    def get_response_serializers(self):
        return LiveSnapshotOutput


class LiveActionApi(APIView):
    # POST .../session/<action>/, one URL per action (checkins/urls.py):
    # validate the action's input, call its service, return the snapshot.
    # (No docstring: it would become every action's description in the schema.)
    schema = _LiveActionSchema()
    live_action: str = ""

    def post(self, request, checkin_id: int):
        checkin = selectors.checkin_get_for_member(user=request.user, checkin_id=checkin_id)
        serializer, service = LIVE_ACTIONS[self.live_action]
        fields = {}
        if serializer is not None:
            data = serializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = data.validated_data
        checkin = service(checkin=checkin, user=request.user, **fields)
        return Response(_snapshot(checkin, request.user))
