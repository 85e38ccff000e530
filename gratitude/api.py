from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import Invalid
from backend.fields import AwareDateTimeField, StrictCharField, StrictIntegerField
from backend.output import RowsOutput
from couples.api import MemberListMixin
from couples.selectors import couple_get_for_member

from . import selectors, services
from .models import Note, Reaction
from .prompts import shown as prompts_shown

# --- output ---------------------------------------------------------------------


class GratitudeNoteOutput(RowsOutput, serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name")
    delivered_at = serializers.SerializerMethodField()
    from_me = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = [
            "id",
            "text",
            "author",
            "author_name",
            "recipient",
            "from_me",
            "created_at",
            "deliver_at",
            "delivered_at",
            "acknowledged_at",
            "reaction",
        ]

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_delivered_at(self, note):
        delivered = note.delivered_at(self.context["now"])
        return serializers.DateTimeField().to_representation(delivered) if delivered else None

    def get_from_me(self, note) -> bool:
        return note.author_id == self.context["user"].pk

    def to_representation(self, note):
        # The fields above, written at once: DRF's field-by-field pass was
        # most of a page's cost (tests/test_gratitude_api.py pins equality).
        # Lists annotate ``author_name`` rather than load the author's row.
        author_name = note.author_name if hasattr(note, "author_name") else note.author.display_name
        return {
            "id": note.pk,
            "text": note.text,
            "author": note.author_id,
            "author_name": author_name,
            "recipient": note.recipient_id,
            "from_me": note.author_id == self.context["user"].pk,
            "created_at": self.dt(note.created_at),
            "deliver_at": self.dt(note.deliver_at),
            "delivered_at": self.dt(note.delivered_at(self.context["now"])),
            "acknowledged_at": self.dt(note.acknowledged_at),
            "reaction": note.reaction,
        }


def _note_data(note: Note, request, now=None) -> dict:
    return GratitudeNoteOutput(note, context={"now": now or timezone.now(), "user": request.user}).data


# --- notes ----------------------------------------------------------------------------


class NoteListApi(MemberListMixin, GenericAPIView):
    serializer_class = GratitudeNoteOutput

    class GratitudeNoteCreateInput(serializers.Serializer):
        # No max_length here: the service counts what people see and says so.
        text = StrictCharField(allow_blank=True, trim_whitespace=False)
        deliver_at = AwareDateTimeField(required=False, allow_null=True)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "box", str, enum=list(selectors.BOXES), required=False, description="received (default) or sent"
            )
        ],
        responses=GratitudeNoteOutput(many=True),
    )
    def get(self, request):
        box = request.query_params.get("box", "received")
        if box not in selectors.BOXES:
            raise Invalid(gettext("Use one of: %(values)s.") % {"values": ", ".join(selectors.BOXES)}, field="box")
        now = timezone.now()
        page = self.paginate_for_member(selectors.NOTE_ROWS.bind(user=request.user, box=box, now=now))
        return self.get_paginated_response(
            GratitudeNoteOutput(page, many=True, context={"now": now, "user": request.user}).data
        )

    @extend_schema(request=GratitudeNoteCreateInput, responses={201: GratitudeNoteOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = self.GratitudeNoteCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.note_send(
            couple=couple,
            author=request.user,
            text=data.validated_data["text"],
            deliver_at=data.validated_data.get("deliver_at"),
        )
        return Response(_note_data(note, request), status=status.HTTP_201_CREATED)


class NoteDetailApi(APIView):
    @extend_schema(responses=GratitudeNoteOutput)
    def get(self, request, note_id: int):
        note = selectors.note_get_for_member(user=request.user, note_id=note_id)
        return Response(_note_data(note, request))

    @extend_schema(responses={204: None})
    def delete(self, request, note_id: int):
        note = selectors.note_get_for_member(user=request.user, note_id=note_id)
        services.note_delete(note=note, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoteAcknowledgeApi(APIView):
    class GratitudeNoteAcknowledgeInput(serializers.Serializer):
        reaction = serializers.ChoiceField(choices=Reaction.choices, required=False, allow_null=True)

    @extend_schema(request=GratitudeNoteAcknowledgeInput, responses=GratitudeNoteOutput)
    def post(self, request, note_id: int):
        note = selectors.note_get_for_member(user=request.user, note_id=note_id)
        data = self.GratitudeNoteAcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.note_acknowledge(note=note, user=request.user, reaction=data.validated_data.get("reaction"))
        return Response(_note_data(note, request))


class NoteRandomApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "exclude",
                {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
                required=False,
                description="a note id not to pick again, if others exist",
            )
        ],
        responses={200: GratitudeNoteOutput, 204: OpenApiResponse(description="the jar is empty")},
    )
    def get(self, request):
        raw = request.query_params.get("exclude")
        if raw is not None and (not raw.isdigit() or len(raw) > 18):
            raise Invalid(gettext("exclude must be a note id."), field="exclude")
        note = selectors.note_random_for_member(user=request.user, exclude_id=int(raw) if raw else None)
        if note is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(_note_data(note, request))


class PromptsApi(APIView):
    class GratitudePromptsOutput(serializers.Serializer):
        prompts = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=GratitudePromptsOutput)
    def get(self, request):
        couple_get_for_member(user=request.user)
        return Response({"prompts": prompts_shown()})


class GratitudeInsightsWeekOutput(serializers.Serializer):
    week_start = serializers.DateField()
    notes = serializers.IntegerField()
    acknowledged = serializers.IntegerField()


class GratitudeInsightsApi(APIView):
    class GratitudeInsightsOutput(serializers.Serializer):
        timezone = serializers.CharField()
        weeks = GratitudeInsightsWeekOutput(many=True)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "weeks",
                {"type": "integer", "minimum": 1, "maximum": 52},
                required=False,
                description="how many weeks back, 1-52 (12)",
            )
        ],
        responses=GratitudeInsightsOutput,
    )
    def get(self, request):
        couple = couple_get_for_member(user=request.user)
        raw = request.query_params.get("weeks", "12")
        if not raw.isdigit() or not 1 <= int(raw) <= 52:
            raise Invalid(gettext("weeks must be a whole number from 1 to 52."), field="weeks")
        now = timezone.now()
        start, end = selectors.last_weeks(couple=couple, weeks=int(raw), now=now)
        weeks = selectors.gratitude_counts_by_week(couple=couple, start=start, end=end, now=now)
        return Response({"timezone": couple.timezone, "weeks": GratitudeInsightsWeekOutput(weeks, many=True).data})


class NudgeApi(APIView):
    """The opt-in nudge to write a note after some days without one."""

    class GratitudeNudgeOutput(serializers.Serializer):
        days = serializers.IntegerField(allow_null=True, help_text="null: off")

    class GratitudeNudgeInput(serializers.Serializer):
        days = StrictIntegerField(min_value=services.NUDGE_DAYS_MIN, max_value=services.NUDGE_DAYS_MAX, allow_null=True)

    @extend_schema(responses=GratitudeNudgeOutput)
    def get(self, request):
        couple_get_for_member(user=request.user)
        return Response({"days": services.nudge_days_for(request.user)})

    @extend_schema(request=GratitudeNudgeInput, responses=GratitudeNudgeOutput)
    def put(self, request):
        couple_get_for_member(user=request.user)
        data = self.GratitudeNudgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        days = services.gratitude_nudge_set(user=request.user, days=data.validated_data["days"])
        return Response({"days": days})
