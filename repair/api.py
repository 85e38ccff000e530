"""Time-out rules and time-outs: thin views over selectors (reads, 404
outside the couple) and services (writes). See docs/repair.md."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import Invalid
from backend.fields import AwareDateTimeField, StrictCharField, StrictIntegerField
from couples.selectors import couple_get_for_member
from space.api import SpaceOutput

from . import selectors, services
from .models import DEFAULT_MIN_MINUTES, DURING_MAX, MAX_MINUTES_CEILING, MIN_MINUTES_FLOOR, REASON_MAX, SIGNAL_MAX

# --- output ---------------------------------------------------------------------------------

DURING_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": "each partner's own text, keyed by their user id",
    "example": {"12": "I'll walk round the block and breathe."},
}


class TimeoutTermsOutput(serializers.Serializer):
    version = serializers.IntegerField(source="number")
    signal = serializers.CharField()
    min_minutes = serializers.IntegerField()
    max_minutes = serializers.IntegerField()
    during = serializers.SerializerMethodField()
    proposed_by = serializers.IntegerField(source="proposed_by_id", allow_null=True)
    proposed_at = serializers.DateTimeField()
    accepted_by = serializers.IntegerField(source="accepted_by_id", allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(DURING_SCHEMA)
    def get_during(self, version) -> dict:
        return {str(d.author_id): d.text for d in version.during.all()}


class TimeoutRulesOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The version under discussion (or in force); send it back to act.")
    status = serializers.CharField(help_text="proposed until the other partner accepts this version, then active")
    signal = serializers.CharField()
    min_minutes = serializers.IntegerField()
    max_minutes = serializers.IntegerField()
    during = serializers.DictField(child=serializers.CharField())
    proposed_by = serializers.IntegerField(allow_null=True)
    declined_by = serializers.IntegerField(allow_null=True)
    decline_reason = serializers.CharField()
    can_accept = serializers.BooleanField(help_text="whether the viewer is the one to accept this version")
    active = TimeoutTermsOutput(
        allow_null=True, help_text="the version in force (it stays while a new one is proposed); null if none"
    )
    active_since = serializers.DateTimeField(allow_null=True)
    retired_by = serializers.IntegerField(allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)
    retire_reason = serializers.CharField()
    updated_at = serializers.DateTimeField()


def rules_data(rules, *, user) -> dict:
    # Re-read with its versions: a service hands back the bare row.
    rules = selectors.timeout_rules_get_for_member(user=user, rules_id=rules.pk)
    return _rules_row(rules, user=user)


def _rules_row(rules, *, user) -> dict:
    current = selectors.rules_version(rules, rules.version)
    active = selectors.rules_version(rules, rules.active_version) if rules.in_force else None
    row = {
        "id": rules.pk,
        "version": rules.version,
        "status": rules.status,
        "signal": current.signal,
        "min_minutes": current.min_minutes,
        "max_minutes": current.max_minutes,
        "during": {str(d.author_id): d.text for d in current.during.all()},
        "proposed_by": current.proposed_by_id,
        "declined_by": current.declined_by_id,
        "decline_reason": current.decline_reason,
        "can_accept": rules.status == "proposed" and current.proposed_by_id not in (None, user.pk),
        "active": active,
        "active_since": rules.active_since if rules.in_force else None,
        "retired_by": rules.retired_by_id,
        "retired_at": rules.retired_at,
        "retire_reason": rules.retire_reason,
        "updated_at": rules.updated_at,
    }
    return TimeoutRulesOutput(row).data


# --- input ------------------------------------------------------------------------------------


class TimeoutRulesCreateInput(serializers.Serializer):
    signal = StrictCharField(max_length=SIGNAL_MAX, help_text="the phrase either of you says to call a time-out")
    min_minutes = StrictIntegerField(
        min_value=MIN_MINUTES_FLOOR, max_value=MAX_MINUTES_CEILING, required=False, default=DEFAULT_MIN_MINUTES
    )
    max_minutes = StrictIntegerField(min_value=MIN_MINUTES_FLOOR, max_value=MAX_MINUTES_CEILING)
    during = StrictCharField(
        max_length=DURING_MAX, required=False, default="", allow_blank=True, help_text="your own text"
    )


class TimeoutRulesAmendInput(serializers.Serializer):
    version = StrictIntegerField(min_value=1, help_text="The version you amend from; a stale one gets 409.")
    signal = StrictCharField(max_length=SIGNAL_MAX, required=False)
    min_minutes = StrictIntegerField(min_value=MIN_MINUTES_FLOOR, max_value=MAX_MINUTES_CEILING, required=False)
    max_minutes = StrictIntegerField(min_value=MIN_MINUTES_FLOOR, max_value=MAX_MINUTES_CEILING, required=False)
    during = StrictCharField(max_length=DURING_MAX, required=False, allow_blank=True, help_text="your own text")


class TimeoutRulesAcceptInput(serializers.Serializer):
    version = StrictIntegerField(min_value=1, help_text="The version you read; a stale one gets 409.")


class TimeoutRulesDeclineInput(serializers.Serializer):
    reason = StrictCharField(max_length=REASON_MAX, required=False, default="", allow_blank=True)
    version = StrictIntegerField(min_value=1, required=False, help_text="The version you read; a stale one gets 409.")


class TimeoutRulesRetireInput(serializers.Serializer):
    reason = StrictCharField(max_length=REASON_MAX, required=False, default="", allow_blank=True)


class TimeoutTakeInput(serializers.Serializer):
    reconnect_by = AwareDateTimeField(help_text="inside the rules in force: min_minutes to max_minutes from now")


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# --- views -------------------------------------------------------------------------------------


class TimeoutRulesListApi(GenericAPIView):
    """The couple's time-out rules (the current set, and retired ones)."""

    serializer_class = TimeoutRulesOutput

    @extend_schema(responses=TimeoutRulesOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.timeout_rules_for_member(user=request.user))
        return self.get_paginated_response([_rules_row(r, user=request.user) for r in page])

    @extend_schema(request=TimeoutRulesCreateInput, responses={201: TimeoutRulesOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = _valid(TimeoutRulesCreateInput, request)
        rules = services.timeout_rules_propose(couple=couple, user=request.user, **data)
        return Response(rules_data(rules, user=request.user), status=status.HTTP_201_CREATED)


class TimeoutRulesDetailApi(APIView):
    @extend_schema(responses=TimeoutRulesOutput)
    def get(self, request, rules_id: int):
        rules = selectors.timeout_rules_get_for_member(user=request.user, rules_id=rules_id)
        return Response(_rules_row(rules, user=request.user))


class TimeoutRulesAcceptApi(APIView):
    @extend_schema(request=TimeoutRulesAcceptInput, responses=TimeoutRulesOutput)
    def post(self, request, rules_id: int):
        rules = selectors.timeout_rules_get_for_member(user=request.user, rules_id=rules_id)
        data = _valid(TimeoutRulesAcceptInput, request)
        rules = services.timeout_rules_accept(rules=rules, user=request.user, version=data["version"])
        return Response(rules_data(rules, user=request.user))


class TimeoutRulesAmendApi(APIView):
    @extend_schema(request=TimeoutRulesAmendInput, responses=TimeoutRulesOutput)
    def post(self, request, rules_id: int):
        rules = selectors.timeout_rules_get_for_member(user=request.user, rules_id=rules_id)
        data = dict(_valid(TimeoutRulesAmendInput, request))
        version = data.pop("version")
        if not data:
            raise Invalid(gettext("Change the signal, the minimum, the maximum or your own text for during."))
        rules = services.timeout_rules_amend(rules=rules, user=request.user, version=version, changes=data)
        return Response(rules_data(rules, user=request.user))


class TimeoutRulesDeclineApi(APIView):
    @extend_schema(request=TimeoutRulesDeclineInput, responses=TimeoutRulesOutput)
    def post(self, request, rules_id: int):
        rules = selectors.timeout_rules_get_for_member(user=request.user, rules_id=rules_id)
        data = _valid(TimeoutRulesDeclineInput, request)
        rules = services.timeout_rules_decline(
            rules=rules, user=request.user, reason=data["reason"], version=data.get("version")
        )
        return Response(rules_data(rules, user=request.user))


class TimeoutRulesRetireApi(APIView):
    @extend_schema(request=TimeoutRulesRetireInput, responses=TimeoutRulesOutput)
    def post(self, request, rules_id: int):
        rules = selectors.timeout_rules_get_for_member(user=request.user, rules_id=rules_id)
        data = _valid(TimeoutRulesRetireInput, request)
        rules = services.timeout_rules_retire(rules=rules, user=request.user, reason=data["reason"])
        return Response(rules_data(rules, user=request.user))


class TimeoutListApi(GenericAPIView):
    """The couple's time-outs, newest first; and taking one. Coming back and
    moving the time later go through /space/{id}/reconnect/ and /extend/."""

    serializer_class = SpaceOutput

    @extend_schema(responses=SpaceOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.timeouts_list_for_member(user=request.user))
        return self.get_paginated_response(SpaceOutput(page, many=True, context={"user": request.user}).data)

    @extend_schema(request=TimeoutTakeInput, responses={201: SpaceOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = _valid(TimeoutTakeInput, request)
        period = services.timeout_take(couple=couple, user=request.user, **data)
        return Response(SpaceOutput(period, context={"user": request.user}).data, status=status.HTTP_201_CREATED)


class TimeoutDetailApi(APIView):
    @extend_schema(responses=SpaceOutput)
    def get(self, request, timeout_id: int):
        period = selectors.timeout_get_for_member(user=request.user, period_id=timeout_id)
        return Response(SpaceOutput(period, context={"user": request.user}).data)
