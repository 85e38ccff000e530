"""The repair conversation's API (``/api/v1/repairs/``): thin views over
``repair.conversation`` (writes) and ``repair.conversation_selectors``
(reads, 404 outside the couple). See docs/repair.md."""

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import Invalid
from backend.fields import AwareDateTimeField, StrictCharField, StrictIntegerField
from couples.selectors import couple_get_for_member

from . import conversation
from . import conversation_selectors as selectors
from .models import COMMITMENT_MAX, REPAIR_TEXT_MAX

# --- output ---------------------------------------------------------------------------------


class MyAnswerOutput(serializers.Serializer):
    text = serializers.CharField()
    due = serializers.DateTimeField(allow_null=True, help_text="the commitment step only")
    trigger_entry = serializers.IntegerField(
        allow_null=True, help_text="your own trigger-log entry, if you linked one; never shown to your partner"
    )
    submitted = serializers.BooleanField(help_text="false for a draft, which never counts toward the reveal")
    updated_at = serializers.DateTimeField()


class RepairPartnerAnswerOutput(serializers.Serializer):
    text = serializers.CharField()
    due = serializers.DateTimeField(allow_null=True)


class RepairStepOutput(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "commitment"])
    prompt = serializers.CharField()
    help = serializers.CharField()
    trigger = serializers.BooleanField(help_text="whether this step may link one of your trigger-log entries")
    state = serializers.ChoiceField(choices=["locked", "open", "waiting", "revealed"])
    revealed_at = serializers.DateTimeField(allow_null=True)
    mine = MyAnswerOutput(allow_null=True)
    partner = RepairPartnerAnswerOutput(allow_null=True, help_text="null for every step not yet revealed")


class RepairListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="open, completed, stopped, expired (closed after a week) or ended")
    started_by = serializers.IntegerField(allow_null=True)
    timeout = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class RepairOutput(RepairListOutput):
    steps = RepairStepOutput(many=True)
    last_event_seq = serializers.IntegerField()


def _row(repair, now) -> dict:
    return {
        "id": repair.pk,
        "status": selectors.repair_status_at(repair, now),
        "started_by": repair.started_by_id,
        "timeout": repair.timeout_id,
        "created_at": repair.created_at,
        "expires_at": repair.expires_at,
        "closed_at": repair.closed_at,
    }


def repair_data(*, user, repair_id: int) -> dict:
    now = timezone.now()
    repair = selectors.repair_get_for_member(user=user, repair_id=repair_id)
    steps = selectors.repair_steps_for(repair=repair, user=user, now=now)
    return RepairOutput({**_row(repair, now), "steps": steps, "last_event_seq": repair.last_event_seq}).data


# --- input ------------------------------------------------------------------------------------


class RepairStartInput(serializers.Serializer):
    timeout = StrictIntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="the time-out this repair follows, if any"
    )


class CommitmentInput(serializers.Serializer):
    text = StrictCharField(max_length=COMMITMENT_MAX, allow_blank=True)
    due = AwareDateTimeField(required=False, allow_null=True, help_text="when you will have done it")


class StepAnswerInput(serializers.Serializer):
    value = serializers.JSONField(
        help_text="your answer: a string; for the last step (kind `commitment`) an object `{text, due}`"
    )
    submit = serializers.BooleanField(
        required=False, default=True, help_text="false saves a draft, which never counts toward the reveal"
    )
    trigger_entry = StrictIntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        help_text="the `set_off` step only: one of your own trigger-log entries",
    )


def _valid(serializer_class, data):
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


# --- views -------------------------------------------------------------------------------------


class RepairListApi(GenericAPIView):
    """The couple's repair conversations, newest first; and starting one."""

    serializer_class = RepairListOutput

    @extend_schema(responses=RepairListOutput(many=True))
    def get(self, request):
        now = timezone.now()
        page = self.paginate_queryset(selectors.repairs_for_member(user=request.user))
        return self.get_paginated_response([RepairListOutput(_row(r, now)).data for r in page])

    @extend_schema(request=RepairStartInput, responses={201: RepairOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = _valid(RepairStartInput, request.data)
        repair = conversation.repair_start(couple=couple, user=request.user, timeout=data.get("timeout"))
        return Response(repair_data(user=request.user, repair_id=repair.pk), status=status.HTTP_201_CREATED)


class RepairDetailApi(APIView):
    @extend_schema(responses=RepairOutput)
    def get(self, request, repair_id: int):
        return Response(repair_data(user=request.user, repair_id=repair_id))


class RepairStepApi(APIView):
    @extend_schema(request=StepAnswerInput, responses=RepairOutput)
    def put(self, request, repair_id: int, step_key: str):
        # Access first: a stranger learns nothing from validation errors.
        conversation.access_repair(request.user, repair_id)
        spec = conversation.step_by_key(step_key)
        data = _valid(StepAnswerInput, request.data)
        value = data["value"]
        if spec["kind"] == "commitment":
            if not isinstance(value, dict):
                raise Invalid(gettext("Send {text, due}: what you will do, and by when."), field="value")
            commitment = _valid(CommitmentInput, value)
            text, due = commitment["text"], commitment.get("due")
        else:
            if not isinstance(value, str):
                raise Invalid(gettext("Write your answer as text."), field="value")
            if len(value) > REPAIR_TEXT_MAX:
                raise Invalid(
                    ngettext("Keep it under %(n)d character.", "Keep it under %(n)d characters.", REPAIR_TEXT_MAX)
                    % {"n": REPAIR_TEXT_MAX},
                    field="value",
                )
            text, due = value, None
        conversation.repair_answer(
            repair_id=repair_id,
            user=request.user,
            step=step_key,
            text=text,
            due=due,
            trigger_entry=data.get("trigger_entry"),
            submit=data["submit"],
        )
        return Response(repair_data(user=request.user, repair_id=repair_id))


class RepairStopApi(APIView):
    @extend_schema(request=None, responses=RepairOutput)
    def post(self, request, repair_id: int):
        conversation.repair_stop(repair_id=repair_id, user=request.user)
        return Response(repair_data(user=request.user, repair_id=repair_id))


class RepairEventOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    data = serializers.DictField(help_text="step keys and states, never text")
    created_at = serializers.DateTimeField()


class RepairEventsOutput(serializers.Serializer):
    repair = serializers.IntegerField()
    last_seq = serializers.IntegerField()
    results = RepairEventOutput(many=True, help_text="the events after `since`, oldest first, at most 500")


class RepairEventsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                {"type": "integer", "minimum": 0, "maximum": 999_999_999},
                required=False,
                description="the last sequence number you have",
            )
        ],
        responses=RepairEventsOutput,
    )
    def get(self, request, repair_id: int):
        repair = conversation.access_repair(request.user, repair_id)
        raw = request.query_params.get("since", "0")
        if not raw.isdigit() or len(raw) > 9:
            raise Invalid(gettext("since must be a whole number of 0 or more."), field="since")
        events = list(selectors.repair_events_for_member(user=request.user, repair_id=repair.pk, since=int(raw))[:500])
        return Response(
            RepairEventsOutput({"repair": repair.pk, "last_seq": repair.last_event_seq, "results": events}).data
        )


class CommitmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    repair = serializers.IntegerField(source="repair_id")
    made_by = serializers.IntegerField(source="author_id")
    text = serializers.CharField()
    due_at = serializers.DateTimeField()
    status = serializers.CharField(help_text="open, kept, or ended (the couple ended)")
    kept_at = serializers.DateTimeField(allow_null=True)


class CommitmentListApi(GenericAPIView):
    """The couple's commitments from repair conversations (both partners')."""

    serializer_class = CommitmentOutput

    @extend_schema(responses=CommitmentOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.commitments_for_member(user=request.user))
        return self.get_paginated_response(CommitmentOutput(page, many=True).data)


class CommitmentKeepApi(APIView):
    @extend_schema(request=None, responses=CommitmentOutput)
    def post(self, request, commitment_id: int):
        commitment = conversation.commitment_keep(commitment_id=commitment_id, user=request.user)
        return Response(CommitmentOutput(commitment).data)
