"""The safety API (API.md "Safety"): every endpoint is about the caller
alone. There is no path that names another person, so a partner, a
therapist or a stranger can only ever read their own."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Feeling, SafetyPreference


class ResourceOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["emergency", "helpline"])
    name = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class ResourcesOutput(serializers.Serializer):
    country = serializers.CharField(allow_blank=True, help_text='the list\'s country; "" for the general list')
    name = serializers.CharField()
    resources = ResourceOutput(many=True, help_text="the emergency number first")


class GuidanceOutput(serializers.Serializer):
    title = serializers.CharField()
    text = serializers.CharField()


class SafetyOutput(serializers.Serializer):
    paused = serializers.BooleanField()
    country = serializers.CharField(allow_blank=True)
    resources = ResourcesOutput()
    guidance = GuidanceOutput(many=True)
    ask_every_weeks = serializers.IntegerField(allow_null=True)


class SafetyAnswerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    feel_safe = serializers.ChoiceField(choices=Feeling.choices, allow_null=True)
    created_at = serializers.DateTimeField()


class SafetyAnsweredOutput(SafetyOutput):
    answer = SafetyAnswerOutput()


class SafetyInput(serializers.Serializer):
    feel_safe = serializers.ChoiceField(choices=Feeling.choices)


class SafetyPreferenceInput(serializers.Serializer):
    ask_every_weeks = serializers.ChoiceField(
        choices=SafetyPreference.Every.choices, allow_null=True, required=False, help_text="null: never (the default)"
    )


class SafetyApi(APIView):
    @extend_schema(responses=SafetyOutput)
    def get(self, request):
        return Response(SafetyOutput(selectors.safety_state_for(user=request.user)).data)

    @extend_schema(request=SafetyInput, responses={201: SafetyAnsweredOutput})
    def post(self, request):
        data = SafetyInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.safety_answer(user=request.user, feel_safe=data.validated_data["feel_safe"])
        state = selectors.safety_state_for(user=request.user)
        state["answer"] = {
            "id": answer.pk,
            "feel_safe": data.validated_data["feel_safe"],
            "created_at": answer.created_at,
        }
        return Response(SafetyAnsweredOutput(state).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SafetyPreferenceInput, responses=SafetyOutput)
    def patch(self, request):
        """Whether to be asked again every few weeks (in-app only; off by default)."""
        data = SafetyPreferenceInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "ask_every_weeks" in data.validated_data:
            services.safety_ask_every(user=request.user, every_weeks=data.validated_data["ask_every_weeks"])
        return Response(SafetyOutput(selectors.safety_state_for(user=request.user)).data)


class SafetyAnswersApi(GenericAPIView):
    serializer_class = SafetyAnswerOutput

    @extend_schema(responses=SafetyAnswerOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.answers_for(user=request.user))
        return self.get_paginated_response(SafetyAnswerOutput(page, many=True).data)


class SafetyPauseApi(APIView):
    @extend_schema(request=None, responses=SafetyOutput)
    def post(self, request):
        user = services.safety_pause(user=request.user)
        return Response(SafetyOutput(selectors.safety_state_for(user=user)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.safety_resume(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
