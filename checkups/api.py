"""Check-up API: thin views over services and selectors. Partners only,
for their own couple (404 for anyone else, therapists included)."""

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.fields import StrictCharField
from couples.selectors import couple_get_for_member

from . import selectors, services


class AnswerOutput(serializers.Serializer):
    values = serializers.DictField(child=serializers.IntegerField())
    score = serializers.IntegerField(allow_null=True)
    draft = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class CheckupPartnerAnswerOutput(serializers.Serializer):
    values = serializers.DictField(child=serializers.IntegerField())
    score = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()


class RoundOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    instrument = serializers.CharField()
    opens_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=["open", "revealed", "closed"])
    asked_by_therapist = serializers.BooleanField()
    revealed_at = serializers.DateTimeField(allow_null=True)
    mine = AnswerOutput(allow_null=True)
    partner = CheckupPartnerAnswerOutput(allow_null=True, help_text="null until both sent theirs (the reveal)")


class ShownText(serializers.CharField):
    """Built-in wording stored in English (checkups.instruments): read in the
    reader's language."""

    def to_representation(self, value):
        return gettext(super().to_representation(value))


class ItemOutput(serializers.Serializer):
    key = serializers.CharField()
    text = ShownText()
    reverse = serializers.BooleanField()


class InstrumentOutput(serializers.Serializer):
    key = serializers.CharField()
    name = ShownText()
    source = ShownText()
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    anchors = serializers.DictField(child=ShownText())
    items = ItemOutput(many=True)


def _round_data(round_, user) -> dict:
    return RoundOutput(selectors.round_view_for(round_=round_, user=user)).data


class CheckupListApi(GenericAPIView):
    serializer_class = RoundOutput

    class CheckupInput(serializers.Serializer):
        instrument = StrictCharField(max_length=64, required=False, help_text="default: steady-checkup")
        answers = serializers.DictField(
            child=serializers.IntegerField(min_value=0, max_value=100), allow_empty=True, help_text="{item_key: 0..6}"
        )
        submit = serializers.BooleanField(
            default=True, help_text="false keeps a draft: never an answer, never shown to anyone else"
        )

    @extend_schema(responses=RoundOutput(many=True), summary="The couple's check-up rounds (opened ones)")
    def get(self, request):
        page = self.paginate_queryset(selectors.rounds_for_member(user=request.user))
        now = timezone.now()
        return self.get_paginated_response(
            [RoundOutput(selectors.round_view_for(round_=r, user=request.user, now=now)).data for r in page]
        )

    @extend_schema(
        request=CheckupInput,
        responses={201: RoundOutput},
        summary="Fill in the open round (or start one); revealed to both once both sent theirs",
    )
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = self.CheckupInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.checkup_answer_save(couple=couple, user=request.user, **data.validated_data)
        round_ = selectors.round_get_for_member(user=request.user, round_id=answer.round_id)
        return Response(_round_data(round_, request.user), status=status.HTTP_201_CREATED)


class CheckupDetailApi(APIView):
    @extend_schema(responses=RoundOutput)
    def get(self, request, round_id: int):
        round_ = selectors.round_get_for_member(user=request.user, round_id=round_id)
        return Response(_round_data(round_, request.user))


class InstrumentListApi(APIView):
    @extend_schema(responses=InstrumentOutput(many=True), summary="The check-ups in use: items, scale")
    def get(self, request):
        couple_get_for_member(user=request.user)
        return Response(InstrumentOutput(selectors.instruments_active(), many=True).data)


class CheckupCadenceApi(APIView):
    class CadenceInput(serializers.Serializer):
        weeks = serializers.ChoiceField(choices=[1, 2, 4], help_text="1, 2 or 4")

    class CheckupCadenceOutput(serializers.Serializer):
        weeks = serializers.IntegerField()

    @extend_schema(responses=CheckupCadenceOutput, summary="How often your check-up comes")
    def get(self, request):
        couple = couple_get_for_member(user=request.user)
        return Response({"weeks": services.cadence_weeks(couple.pk)})

    @extend_schema(request=CadenceInput, responses=CheckupCadenceOutput, summary="Set it: every 1, 2 or 4 weeks")
    def put(self, request):
        couple = couple_get_for_member(user=request.user)
        data = self.CadenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        cadence = services.checkup_cadence_set(couple=couple, weeks=data.validated_data["weeks"], user=request.user)
        return Response({"weeks": cadence.weeks})
