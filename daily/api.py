"""The daily question's API (API.md, "Added in v1.1"): today's question,
answering, the history and the caller's own preferences."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.fields import LocalTimeField, StrictCharField
from backend.localtime import local_date
from couples.api import MemberListMixin
from couples.selectors import couple_get_for_member

from . import library, selectors, services
from .models import DailyQuestion


class DailyQuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    theme = serializers.CharField()
    theme_label = serializers.CharField()
    text = serializers.CharField()
    date = serializers.DateField()
    mine = serializers.CharField(allow_null=True, help_text="The caller's own answer, or null.")
    partner = serializers.CharField(allow_null=True, help_text="The partner's answer: null until both answered.")
    revealed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, question: DailyQuestion) -> dict:
        mine, partner = selectors.answers_for(question=question, user=self.context["user"])
        return {
            "id": question.pk,
            "theme": question.theme,
            "theme_label": library.theme_label(question.theme),
            "text": library.shown(question.text),
            "date": question.date.isoformat(),
            "mine": mine,
            "partner": partner,
            "revealed_at": serializers.DateTimeField().to_representation(question.revealed_at)
            if question.revealed_at
            else None,
        }


def _question_data(question: DailyQuestion, user) -> dict:
    return DailyQuestionOutput(question, context={"user": user}).data


class DailyQuestionTodayApi(APIView):
    @extend_schema(responses=DailyQuestionOutput, summary="Today's question for the couple (their timezone)")
    def get(self, request):
        couple = couple_get_for_member(user=request.user)
        question = services.daily_question_for(couple=couple)
        return Response(_question_data(question, request.user))


class DailyAnswerApi(APIView):
    class DailyAnswerInput(serializers.Serializer):
        # No max_length: the service counts what people see and says so.
        text = StrictCharField(allow_blank=True, trim_whitespace=False)

    @extend_schema(
        request=DailyAnswerInput,
        responses={200: DailyQuestionOutput},
        summary="Answer (or change an answer) until both answered; after the reveal, 409",
    )
    def put(self, request, question_id: int):
        data = self.DailyAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.daily_answer_submit(
            user=request.user, question_id=question_id, text=data.validated_data["text"]
        )
        return Response(_question_data(question, request.user))


class DailyHistoryApi(MemberListMixin, GenericAPIView):
    serializer_class = DailyQuestionOutput

    @extend_schema(responses=DailyQuestionOutput(many=True), summary="Past questions, newest first")
    def get(self, request):
        couple = couple_get_for_member(user=request.user)
        today = local_date(instant=timezone.now(), tz=couple.timezone)
        page = self.paginate_for_member(selectors.history_for_member(user=request.user, before=today))
        return self.get_paginated_response(DailyQuestionOutput(page, many=True, context={"user": request.user}).data)


class ThemeOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class DailyPreferencesOutput(serializers.Serializer):
    skip_themes = serializers.ListField(child=serializers.CharField())
    themes = ThemeOutput(many=True, read_only=True)
    reminder_time = LocalTimeField(allow_null=True, help_text="The opt-in daily reminder's time; null when off.")


class DailyPreferencesApi(APIView):
    class DailyPreferencesInput(serializers.Serializer):
        # Themes by key; keeping at least one is the service's rule (400).
        skip_themes = serializers.ListField(
            child=serializers.ChoiceField(choices=list(library.themes())), required=False, max_length=20
        )
        reminder_time = LocalTimeField(required=False, allow_null=True)

    @staticmethod
    def _data(user) -> dict:
        return {
            "skip_themes": selectors.skip_themes_of(user=user),
            "themes": [{"key": k, "label": library.shown(v)} for k, v in library.themes().items()],
            "reminder_time": (t.strftime("%H:%M") if (t := services.reminder_time_for(user)) else None),
        }

    @extend_schema(responses=DailyPreferencesOutput, summary="The caller's own themes to skip and daily reminder")
    def get(self, request):
        return Response(self._data(request.user))

    @extend_schema(request=DailyPreferencesInput, responses=DailyPreferencesOutput)
    def patch(self, request):
        data = self.DailyPreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.daily_preferences_update(user=request.user, data=data.validated_data)
        return Response(self._data(request.user))
