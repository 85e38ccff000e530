"""Therapist access API: thin views over services and selectors.

Partners: grants (request, approve, revoke) and the access log, for their
own couple only (404 for anyone else, therapists included); the access log
also of a couple they were in, read-only, for their time in it. Therapists:
connect codes, the couples that share with them and the summary, each
behind ``access.IsReadyTherapist`` (403 for partners, and for therapists
without their second factor), and the grant read from the database on
every request (404 without an active grant).
"""

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.client_ip import client_ip
from backend.errors import Invalid
from backend.fields import AwareDateTimeField, StrictCharField
from backend.throttles import PersonThrottle
from promises.api import PromiseOutput, TrendOutput, promise_data

from . import selectors, services
from .access import IsReadyTherapist, IsTherapist
from .display import event_sentence
from .models import SCOPE_ORDER, AccessEvent, ConnectCode, Grant, Practice

# --- output ------------------------------------------------------------------------------------


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ConnectCodeOutput(serializers.ModelSerializer):
    display_code = serializers.CharField(read_only=True)

    class Meta:
        model = ConnectCode
        fields = ["code", "display_code", "created_at", "expires_at"]


class ApprovalOutput(serializers.Serializer):
    partner_id = serializers.IntegerField()
    display_name = serializers.CharField()
    approved_at = serializers.DateTimeField()


class GrantOutput(serializers.ModelSerializer):
    therapist = PersonOutput()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPE_ORDER))
    status = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()
    waiting_for_me = serializers.SerializerMethodField()
    next_sessions = serializers.SerializerMethodField(
        help_text="The next session dates the therapist set (soonest first), while the grant is active; else []."
    )

    class Meta:
        model = Grant
        fields = [
            "id",
            "therapist",
            "scopes",
            "expires_at",
            "status",
            "approvals",
            "requested_by",
            "requested_at",
            "waiting_for_me",
            "ended_at",
            "end_reason",
            "replaces",
            "next_sessions",
        ]
        extra_kwargs = {
            "replaces": {"help_text": "The grant in force this request replaces once approved (a change), or null."}
        }

    def get_status(self, obj) -> str:
        return obj.status_at(self.context["now"])

    @extend_schema_field(ApprovalOutput(many=True))
    def get_approvals(self, obj):
        approvals = []
        if obj.requested_by_id is not None:
            approvals.append(
                {
                    "partner_id": obj.requested_by_id,
                    "display_name": obj.requested_by.display_name,
                    "approved_at": obj.requested_at,
                }
            )
        if obj.approved_at is not None and obj.approved_by_id is not None:
            approvals.append(
                {
                    "partner_id": obj.approved_by_id,
                    "display_name": obj.approved_by.display_name,
                    "approved_at": obj.approved_at,
                }
            )
        return ApprovalOutput(approvals, many=True).data

    def get_waiting_for_me(self, obj) -> bool:
        return obj.status_at(self.context["now"]) == "pending" and obj.requested_by_id != self.context["user"].pk

    @extend_schema_field(serializers.ListField(child=serializers.DateTimeField()))
    def get_next_sessions(self, obj):
        if obj.status_at(self.context["now"]) != "active":
            return []
        return [s.at for s in self.context.get("next_sessions", {}).get(obj.therapist_id, [])]


def _grant_context(grants, request) -> dict:
    """The serializer's context: now, the caller, and the next session
    dates of the active grants among ``grants`` (one query for them all)."""
    now = timezone.now()
    active = [g for g in grants if g.status_at(now) == "active"]
    sessions = (
        selectors.next_sessions_for(
            couple_id=active[0].couple_id, therapist_ids={g.therapist_id for g in active}, now=now
        )
        if active
        else {}
    )
    return {"now": now, "user": request.user, "next_sessions": sessions}


def _grant_data(grant: Grant, request) -> dict:
    return GrantOutput(grant, context=_grant_context([grant], request)).data


class PeriodOutput(serializers.Serializer):
    # "from" is a Python keyword: declared below.
    to = serializers.DateField()


PeriodOutput._declared_fields = {"from": serializers.DateField(), **PeriodOutput._declared_fields}


class AccessEventOutput(serializers.ModelSerializer):
    therapist = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()

    class Meta:
        model = AccessEvent
        fields = ["id", "therapist", "what", "scopes", "period", "at", "description"]

    @extend_schema_field(PersonOutput)
    def get_therapist(self, obj):
        return {"id": obj.therapist_id, "display_name": obj.therapist_name}

    @extend_schema_field(PeriodOutput(allow_null=True))
    def get_period(self, obj):
        if obj.period_start is None:
            return None
        return {"from": obj.period_start.isoformat(), "to": obj.period_end.isoformat()}

    def get_description(self, obj) -> str:
        return event_sentence(obj, tz=self.context["tz"])


class AttentionOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["checkup_drop", "practice_missed", "presession_note"],
        help_text="checkup_drop (progress scope): a partner's latest check-up total fell; practice_missed (practice "
        "scope) and presession_note: how many since you last opened the session page.",
    )
    partner_id = serializers.IntegerField(required=False)
    round_number = serializers.IntegerField(required=False)
    from_score = serializers.IntegerField(required=False)
    to_score = serializers.IntegerField(required=False)
    drop = serializers.IntegerField(required=False)
    count = serializers.IntegerField(required=False)


class TherapistCoupleOutput(serializers.Serializer):
    id = serializers.IntegerField(source="couple_id")
    partners = serializers.SerializerMethodField()
    timezone = serializers.CharField(source="couple.timezone")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPE_ORDER))
    grant_id = serializers.IntegerField(source="pk")
    expires_at = serializers.DateTimeField()

    attention = serializers.SerializerMethodField()

    @extend_schema_field(PersonOutput(many=True))
    def get_partners(self, obj):
        return [{"id": m.user_id, "display_name": m.user.display_name} for m in obj.couple.partners]

    @extend_schema_field(AttentionOutput(many=True))
    def get_attention(self, obj):
        # What needs attention, from what the couple shares (a check-up
        # total that fell, with the progress scope); empty otherwise.
        return AttentionOutput(self.context.get("attention", {}).get(obj.couple_id, []), many=True).data


# The summary: one serializer per section, so the schema says exactly what
# a therapist can ever receive (counts, averages, categories - no text).


class ConsistencyWeekOutput(serializers.Serializer):
    week_start = serializers.DateField()
    scheduled = serializers.IntegerField()
    completed = serializers.IntegerField()
    ratio = serializers.FloatField(allow_null=True)
    extra_completed = serializers.IntegerField()


class ConsistencyTotalsOutput(serializers.Serializer):
    scheduled = serializers.IntegerField()
    completed = serializers.IntegerField()
    ratio = serializers.FloatField(allow_null=True)
    extra_completed = serializers.IntegerField()


class ConsistencyOutput(serializers.Serializer):
    weeks = ConsistencyWeekOutput(many=True)
    totals = ConsistencyTotalsOutput()


class MoodWeekOutput(serializers.Serializer):
    week_start = serializers.DateField()
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class MoodPartnerOutput(serializers.Serializer):
    partner_id = serializers.IntegerField()
    display_name = serializers.CharField()
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()
    weeks = MoodWeekOutput(many=True)


class MoodScaleOutput(serializers.Serializer):
    min = serializers.IntegerField()
    max = serializers.IntegerField()


class MoodTrendsOutput(serializers.Serializer):
    scale = MoodScaleOutput()
    partners = MoodPartnerOutput(many=True)


class AgreementPartnerOutput(serializers.Serializer):
    partner_id = serializers.IntegerField()
    display_name = serializers.CharField()
    kept = serializers.IntegerField()
    partly = serializers.IntegerField()
    missed = serializers.IntegerField()


class AgreementSummaryOutput(serializers.Serializer):
    agreement_id = serializers.IntegerField()
    title = serializers.CharField(help_text="The wording both partners accepted; never details or notes.")
    category = serializers.CharField()
    status = serializers.CharField()
    partners = AgreementPartnerOutput(many=True)


class AgreementsOutput(serializers.Serializer):
    agreements = AgreementSummaryOutput(many=True)


class GratitudeWeekOutput(serializers.Serializer):
    week_start = serializers.DateField()
    notes = serializers.IntegerField()
    acknowledged = serializers.IntegerField()


class GratitudeOutput(serializers.Serializer):
    weeks = GratitudeWeekOutput(many=True)
    total = serializers.IntegerField()


class ReconnectOutput(serializers.Serializer):
    kept = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()
    extended = serializers.IntegerField()
    total = serializers.IntegerField()


class TriggerIntensityOutput(serializers.Serializer):
    before_avg = serializers.FloatField(allow_null=True, required=False)
    grounded = serializers.IntegerField(required=False)
    grounded_before_avg = serializers.FloatField(allow_null=True, required=False)
    grounded_after_avg = serializers.FloatField(allow_null=True, required=False)


class TriggerWeekOutput(serializers.Serializer):
    week_start = serializers.DateField()
    total = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    before_avg = serializers.FloatField(allow_null=True)
    grounded = serializers.IntegerField()
    grounded_after_avg = serializers.FloatField(allow_null=True)


class TriggerPartnerOutput(serializers.Serializer):
    partner_id = serializers.IntegerField()
    display_name = serializers.CharField()
    total = serializers.IntegerField()
    by_category = serializers.DictField(child=serializers.IntegerField())
    intensity = TriggerIntensityOutput()
    weeks = TriggerWeekOutput(many=True)


class TriggerPatternsOutput(serializers.Serializer):
    categories = serializers.ListField(child=serializers.CharField())
    partners = TriggerPartnerOutput(many=True)


class SectionsOutput(serializers.Serializer):
    checkin_consistency = ConsistencyOutput(required=False)
    mood_trends = MoodTrendsOutput(required=False)
    agreements = AgreementsOutput(required=False)
    gratitude_frequency = GratitudeOutput(required=False)
    reconnect_followthrough = ReconnectOutput(required=False)
    trigger_patterns = TriggerPatternsOutput(required=False)

    def to_representation(self, instance):
        # Only the sections present (the granted scopes), never empty keys.
        return {k: self.fields[k].to_representation(v) for k, v in instance.items() if k in self.fields}


class SummaryCoupleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    timezone = serializers.CharField()
    partners = PersonOutput(many=True)


class SummaryGrantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class SummaryOutput(serializers.Serializer):
    couple = SummaryCoupleOutput()
    to = serializers.DateField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPE_ORDER))
    grant = SummaryGrantOutput()
    sections = SectionsOutput()


SummaryOutput._declared_fields = {"from": serializers.DateField(), **SummaryOutput._declared_fields}


# --- therapists: connect codes and the second factor ---------------------------------------------


class ConnectCodeListApi(GenericAPIView):
    permission_classes = [IsReadyTherapist]
    serializer_class = ConnectCodeOutput

    @extend_schema(responses=ConnectCodeOutput(many=True), summary="The therapist's unused connect codes")
    def get(self, request):
        page = self.paginate_queryset(selectors.connect_codes_open_for(therapist=request.user))
        return self.get_paginated_response(ConnectCodeOutput(page, many=True).data)

    @extend_schema(request=None, responses={201: ConnectCodeOutput}, summary="Make a connect code")
    def post(self, request):
        code = services.connect_code_create(therapist=request.user)
        return Response(ConnectCodeOutput(code).data, status=status.HTTP_201_CREATED)


class VerifyThrottle(PersonThrottle):
    # Six digits are guessable without a budget; allauth's own sign-in
    # stage has one too.
    scope = "therapist_verify"
    rate = "5/min"


class TherapistVerifyApi(APIView):
    permission_classes = [IsTherapist]
    throttle_classes = [VerifyThrottle]

    class TherapistVerifyInput(serializers.Serializer):
        code = StrictCharField(max_length=32)

    class TherapistVerifyOutput(serializers.Serializer):
        verified_at = serializers.DateTimeField()

    @extend_schema(
        request=TherapistVerifyInput,
        responses={200: TherapistVerifyOutput},
        summary="Confirm this API token with a code from the authenticator app",
    )
    def post(self, request):
        if not isinstance(request.auth, AuthToken):
            raise Invalid(gettext("Only API tokens need this: the web asks for your code when you sign in."))
        data = self.TherapistVerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        verified = services.therapist_token_confirm(user=request.user, token=request.auth, **data.validated_data)
        return Response({"verified_at": verified.verified_at})


# --- therapists: couples and the summary ----------------------------------------------------------


class TherapistCoupleListApi(GenericAPIView):
    permission_classes = [IsReadyTherapist]
    serializer_class = TherapistCoupleOutput

    @extend_schema(responses=TherapistCoupleOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.grants_active_for_therapist(therapist=request.user))
        attention = selectors.couples_attention(grants=list(page))
        services.access_record_list(therapist=request.user, grants=page, ip=client_ip(request))
        return self.get_paginated_response(
            TherapistCoupleOutput(page, many=True, context={"attention": attention}).data
        )


class SummaryApi(APIView):
    permission_classes = [IsReadyTherapist]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="First day, YYYY-MM-DD (default: 8 weeks ago, a Monday)"),
            OpenApiParameter("to", str, description="Last day, YYYY-MM-DD (default: today); at most two years"),
        ],
        responses=SummaryOutput,
    )
    def get(self, request, couple_id: int):
        now = timezone.now()
        grant = selectors.grant_active_for_therapist(therapist=request.user, couple_id=couple_id, now=now)
        start, end = selectors.period_from_params(
            couple=grant.couple,
            raw_from=request.query_params.get("from"),
            raw_to=request.query_params.get("to"),
            now=now,
        )
        summary = services.therapist_summary_read(
            therapist=request.user, grant=grant, start=start, end=end, ip=client_ip(request), now=now
        )
        return Response(SummaryOutput(summary).data)


class ProgressScaleOutput(serializers.Serializer):
    min = serializers.IntegerField()
    max = serializers.IntegerField()


class ProgressInstrumentOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    scale = ProgressScaleOutput()
    score_max = serializers.IntegerField()
    drop_flag = serializers.IntegerField()


class ProgressPointOutput(serializers.Serializer):
    round_id = serializers.IntegerField()
    round_number = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    revealed_at = serializers.DateTimeField()
    instrument = serializers.CharField()
    score = serializers.IntegerField()
    values = serializers.DictField(child=serializers.IntegerField())


class ProgressPartnerOutput(serializers.Serializer):
    partner_id = serializers.IntegerField()
    display_name = serializers.CharField()
    points = ProgressPointOutput(many=True)


class ProgressFlagOutput(serializers.Serializer):
    partner_id = serializers.IntegerField()
    round_id = serializers.IntegerField()
    round_number = serializers.IntegerField()
    from_score = serializers.IntegerField()
    to_score = serializers.IntegerField()
    drop = serializers.IntegerField()


class ProgressOutput(serializers.Serializer):
    instrument = ProgressInstrumentOutput()
    partners = ProgressPartnerOutput(many=True)
    flags = ProgressFlagOutput(many=True)


class ProgressApi(APIView):
    permission_classes = [IsReadyTherapist]

    @extend_schema(
        responses=ProgressOutput,
        summary="Both partners' check-up scores for revealed rounds (progress scope); logged",
    )
    def get(self, request, couple_id: int):
        progress = services.therapist_progress_read(therapist=request.user, couple_id=couple_id, ip=client_ip(request))
        return Response(ProgressOutput(progress).data)


class TherapistPromisesApi(APIView):
    permission_classes = [IsReadyTherapist]

    @extend_schema(
        responses=PromiseOutput(many=True),
        summary="The couple's promises with full outcomes, newest 200 (promises scope); logged",
    )
    def get(self, request, couple_id: int):
        rows = services.therapist_promises_read(therapist=request.user, couple_id=couple_id, ip=client_ip(request))
        return Response(PromiseOutput([promise_data(r, viewer_id=None) for r in rows], many=True).data)


class TherapistRepairTrendApi(APIView):
    permission_classes = [IsReadyTherapist]

    @extend_schema(
        responses=TrendOutput,
        summary="Per month, the median minutes from a time-out to a completed repair (repair_trend scope); logged",
    )
    def get(self, request, couple_id: int):
        trend = services.therapist_repair_trend_read(therapist=request.user, couple_id=couple_id, ip=client_ip(request))
        return Response(TrendOutput(trend).data)


class CheckupRequestApi(APIView):
    permission_classes = [IsReadyTherapist]

    class CheckupRequestOutput(serializers.Serializer):
        round_id = serializers.IntegerField()
        opens_at = serializers.DateTimeField()

    @extend_schema(
        request=None,
        responses={201: CheckupRequestOutput},
        summary="Ask the couple for a check-up round now (progress scope); a round already open is 409",
    )
    def post(self, request, couple_id: int):
        round_ = services.therapist_checkup_request(therapist=request.user, couple_id=couple_id, ip=client_ip(request))
        return Response({"round_id": round_.pk, "opens_at": round_.opens_at}, status=status.HTTP_201_CREATED)


class TherapistEndApi(APIView):
    permission_classes = [IsReadyTherapist]

    class TherapistEndOutput(serializers.Serializer):
        couple_id = serializers.IntegerField()
        ended_at = serializers.DateTimeField()

    @extend_schema(request=None, responses=TherapistEndOutput, summary="End your own access to a couple, at once")
    def post(self, request, couple_id: int):
        grant = services.therapist_access_end(therapist=request.user, couple_id=couple_id)
        return Response({"couple_id": grant.couple_id, "ended_at": grant.ended_at})


# --- partners: grants and the access log ---------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": list(SCOPE_ORDER)})
class ScopeField(serializers.CharField):
    """One scope; the schema lists them. Anything else, a number included,
    is refused by the service as one field error on scopes."""


class GrantListApi(GenericAPIView):
    serializer_class = GrantOutput

    class GrantRequestInput(serializers.Serializer):
        code = StrictCharField(max_length=32)
        scopes = serializers.ListField(
            child=ScopeField(max_length=64),
            allow_empty=False,
            max_length=len(SCOPE_ORDER) * 2,
            help_text=f"Any of: {', '.join(SCOPE_ORDER)}.",
        )
        expires_at = serializers.DateTimeField()

    @extend_schema(responses=GrantOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.grants_for_member(user=request.user))
        context = _grant_context(page, request)
        return self.get_paginated_response(GrantOutput(page, many=True, context=context).data)

    @extend_schema(request=GrantRequestInput, responses={201: GrantOutput})
    def post(self, request):
        from couples.selectors import couple_get_for_member

        couple = couple_get_for_member(user=request.user)
        data = self.GrantRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.grant_request(couple=couple, user=request.user, **data.validated_data)
        grant = selectors.grant_get_for_member(user=request.user, grant_id=grant.pk)
        return Response(_grant_data(grant, request), status=status.HTTP_201_CREATED)


class GrantDetailApi(APIView):
    @extend_schema(responses=GrantOutput)
    def get(self, request, grant_id: int):
        grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
        return Response(_grant_data(grant, request))


class GrantApproveApi(APIView):
    class GrantApproveInput(serializers.Serializer):
        scopes = serializers.ListField(
            child=ScopeField(max_length=64),
            required=False,
            max_length=len(SCOPE_ORDER) * 2,
            help_text="What you were shown; if given, it must be exactly the grant's scopes (else 409).",
        )
        expires_at = serializers.DateTimeField(
            required=False, help_text="The end you were shown; if given, it must be the grant's (else 409)."
        )

    @extend_schema(request=GrantApproveInput, responses=GrantOutput)
    def post(self, request, grant_id: int):
        grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
        data = self.GrantApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.grant_approve(grant=grant, user=request.user, **data.validated_data)
        grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
        return Response(_grant_data(grant, request))


class GrantReplaceApi(APIView):
    class GrantReplaceInput(serializers.Serializer):
        scopes = serializers.ListField(
            child=ScopeField(max_length=64),
            allow_empty=False,
            max_length=len(SCOPE_ORDER) * 2,
            help_text=f"Everything to share from the approval on (any of: {', '.join(SCOPE_ORDER)}).",
        )
        expires_at = serializers.DateTimeField()

    @extend_schema(
        request=GrantReplaceInput,
        responses={201: GrantOutput},
        summary="Ask to change what is shared: a new grant that replaces this one once the partner approves it",
    )
    def post(self, request, grant_id: int):
        grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
        data = self.GrantReplaceInput(data=request.data)
        data.is_valid(raise_exception=True)
        replacement = services.grant_replace_request(grant=grant, user=request.user, **data.validated_data)
        replacement = selectors.grant_get_for_member(user=request.user, grant_id=replacement.pk)
        return Response(_grant_data(replacement, request), status=status.HTTP_201_CREATED)


class GrantRevokeApi(APIView):
    @extend_schema(request=None, responses=GrantOutput)
    def post(self, request, grant_id: int):
        grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
        services.grant_revoke(grant=grant, user=request.user)
        grant = selectors.grant_get_for_member(user=request.user, grant_id=grant_id)
        return Response(_grant_data(grant, request))


class AccessLogApi(GenericAPIView):
    serializer_class = AccessEventOutput

    class AccessLogQuery(serializers.Serializer):
        couple = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**31 - 1,
            help_text="A couple you are or were in (see access-log/couples/); default: your current couple. "
            "Only the events from while you were in it.",
        )

    # The query serializer documents the parameter with its bounds, so the
    # schema says what the view accepts.
    @extend_schema(parameters=[AccessLogQuery], responses=AccessEventOutput(many=True))
    def get(self, request):
        query = self.AccessLogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = selectors.access_log_for_member(user=request.user, couple_id=query.validated_data.get("couple"))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AccessEventOutput(page, many=True, context={"tz": request.user.tzinfo}).data)


class AccessLogCoupleOutput(serializers.Serializer):
    id = serializers.IntegerField(source="couple_id")
    joined_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField()

    def get_current(self, obj) -> bool:
        return obj.is_current


class AccessLogCoupleListApi(GenericAPIView):
    serializer_class = AccessLogCoupleOutput

    @extend_schema(
        responses=AccessLogCoupleOutput(many=True),
        description="The couples whose access log you can read (GET access-log/?couple=<id>): your current couple "
        "first, then the ones you were in.",
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.access_log_couples_for_member(user=request.user))
        return self.get_paginated_response(AccessLogCoupleOutput(page, many=True).data)


# --- practice between sessions ---------------------------------------------------------------------------


PRACTICE_STATUSES = ["proposed", "accepted", "missed", "not_taken_up", "done", "renegotiated", "closed"]


class PracticeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Practice.Kind.values)
    title = serializers.CharField()
    details = serializers.CharField(allow_blank=True)
    due_at = serializers.DateTimeField()
    proposed_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    settled_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(
        choices=PRACTICE_STATUSES,
        help_text="proposed until both partners accept; not_taken_up after a decline (never who); missed = "
        "accepted and the due time passed without done or renegotiated; closed when the grant or couple ended.",
    )
    therapist = PersonOutput()


class PartnerPracticeOutput(PracticeOutput):
    my_answer = serializers.ChoiceField(choices=["accepted", "declined"], allow_null=True)
    partner_accepted = serializers.BooleanField()


class TherapistPracticeListApi(APIView):
    permission_classes = [IsReadyTherapist]

    class PracticeProposeInput(serializers.Serializer):
        # Checked by the service, after consent, all fields at once.
        kind = StrictCharField(max_length=32, allow_blank=True, help_text=f"One of: {', '.join(Practice.Kind.values)}.")
        title = StrictCharField(max_length=200, allow_blank=True)
        details = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
        due_at = serializers.DateTimeField()

    @extend_schema(responses=PracticeOutput(many=True), summary="The practices you proposed (practice scope); logged")
    def get(self, request, couple_id: int):
        rows = services.therapist_practices_read(therapist=request.user, couple_id=couple_id, ip=client_ip(request))
        return Response(PracticeOutput(rows, many=True).data)

    @extend_schema(
        request=PracticeProposeInput,
        responses={201: PracticeOutput},
        summary="Propose a practice (practice scope): proposed until both partners accept; logged",
    )
    def post(self, request, couple_id: int):
        data = self.PracticeProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        practice = services.practice_propose(
            therapist=request.user, couple_id=couple_id, ip=client_ip(request), **data.validated_data
        )
        row = selectors._practice_row(practice, now=timezone.now(), live=True)
        return Response(PracticeOutput(row).data, status=status.HTTP_201_CREATED)


class PracticeListApi(APIView):
    @extend_schema(responses=PartnerPracticeOutput(many=True), summary="Your couple's practices")
    def get(self, request):
        return Response(PartnerPracticeOutput(selectors.practices_for_member(user=request.user), many=True).data)


class PracticeDetailApi(APIView):
    @extend_schema(responses=PartnerPracticeOutput)
    def get(self, request, practice_id: int):
        return Response(
            PartnerPracticeOutput(selectors.practice_get_for_member(user=request.user, practice_id=practice_id)).data
        )


def _practice_action(action):
    class _Api(APIView):
        @extend_schema(request=None, responses=PartnerPracticeOutput, summary=action["summary"])
        def post(self, request, practice_id: int):
            # 404 first for anyone outside the couple.
            selectors.practice_get_for_member(user=request.user, practice_id=practice_id)
            action["do"](practice_id=practice_id, user=request.user)
            return Response(
                PartnerPracticeOutput(
                    selectors.practice_get_for_member(user=request.user, practice_id=practice_id)
                ).data
            )

    _Api.__name__ = action["name"]
    _Api.__qualname__ = action["name"]
    return _Api


PracticeAcceptApi = _practice_action(
    {
        "name": "PracticeAcceptApi",
        "summary": "Accept a proposed practice; it exists once both partners accepted",
        "do": lambda **kw: services.practice_answer(accept=True, **kw),
    }
)
PracticeDeclineApi = _practice_action(
    {
        "name": "PracticeDeclineApi",
        "summary": "Decline a proposed practice (no reason asked; the therapist sees 'not taken up')",
        "do": lambda **kw: services.practice_answer(accept=False, **kw),
    }
)
PracticeDoneApi = _practice_action(
    {
        "name": "PracticeDoneApi",
        "summary": "Mark an accepted practice done (either partner, before its due time)",
        "do": lambda **kw: services.practice_outcome_set(outcome="done", **kw),
    }
)
PracticeRenegotiateApi = _practice_action(
    {
        "name": "PracticeRenegotiateApi",
        "summary": "Mark an accepted practice renegotiated (either partner, before its due time)",
        "do": lambda **kw: services.practice_outcome_set(outcome="renegotiated", **kw),
    }
)


class TherapistCadenceInput(serializers.Serializer):
    weeks = serializers.ChoiceField(choices=[1, 2, 4], help_text="1, 2 or 4")


class TherapistCadenceOutput(serializers.Serializer):
    weeks = serializers.IntegerField()


class TherapistCheckupCadenceApi(APIView):
    permission_classes = [IsReadyTherapist]

    @extend_schema(
        request=TherapistCadenceInput,
        responses=TherapistCadenceOutput,
        summary="Set how often the couple's check-up comes (progress scope); logged",
    )
    def post(self, request, couple_id: int):
        data = TherapistCadenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        cadence = services.therapist_checkup_cadence_set(
            therapist=request.user, couple_id=couple_id, weeks=data.validated_data["weeks"], ip=client_ip(request)
        )
        return Response({"weeks": cadence.weeks})


# --- the next session dates (the therapist's) -------------------------------------------------------------


class SessionDateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()


class TherapistSessionDateListApi(APIView):
    """The dates of the next sessions with a couple the therapist sees now
    (an active grant, any scope; 404 otherwise). Reading them is not logged
    (they are the therapist's own entries); setting one is
    (``session_date``), as on the session page."""

    permission_classes = [IsReadyTherapist]

    class SessionDateInput(serializers.Serializer):
        at = AwareDateTimeField(help_text="The session's start, with its offset; in the future, within a year.")

    @extend_schema(responses=SessionDateOutput(many=True), summary="The next session dates you set, soonest first")
    def get(self, request, couple_id: int):
        sessions = selectors.next_sessions_for_therapist(therapist=request.user, couple_id=couple_id)
        return Response(SessionDateOutput(sessions, many=True).data)

    @extend_schema(
        request=SessionDateInput,
        responses={201: SessionDateOutput},
        summary="Add a next session date (any scope; at most 6 ahead, else 409); logged",
    )
    def post(self, request, couple_id: int):
        data = self.SessionDateInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.next_session_set(
            therapist=request.user, couple_id=couple_id, at=data.validated_data["at"], ip=client_ip(request)
        )
        return Response(SessionDateOutput(session).data, status=status.HTTP_201_CREATED)


class TherapistSessionDateApi(APIView):
    permission_classes = [IsReadyTherapist]

    @extend_schema(request=None, responses={204: None}, summary="Remove a next session date ahead")
    def delete(self, request, couple_id: int, session_date_id: int):
        from django.http import Http404

        removed = services.next_session_remove(therapist=request.user, couple_id=couple_id, session_id=session_date_id)
        if not removed:
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- what your therapist sees (a partner's view of a grant in force) ------------------------------------


class PreSessionNoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonOutput(source="author_person")
    is_mine = serializers.BooleanField()
    text = serializers.CharField()
    share_with_partner = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ViewPeriodOutput(serializers.Serializer):
    to = serializers.DateField()


ViewPeriodOutput._declared_fields = {"from": serializers.DateField(), **ViewPeriodOutput._declared_fields}


class TherapistViewOutput(serializers.Serializer):
    grant = SummaryGrantOutput()
    therapist = PersonOutput()
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPE_ORDER), help_text="What the therapist sees (granted)."
    )
    # Plain strings (scopes, as in ``scopes``): a second enum of the same
    # choices under another name would be a schema warning.
    not_shared = serializers.ListField(
        child=serializers.CharField(), help_text="Scopes not shared: the therapist sees nothing of them."
    )
    period = ViewPeriodOutput(help_text="The summary's dates: the therapist's default, the last 8 weeks.")
    sections = SectionsOutput(
        help_text="The summary sections of the granted scopes, as the therapist reads them; under trigger_patterns "
        "only your own (your partner's come from their private journal)."
    )
    progress = ProgressOutput(allow_null=True, help_text="progress scope: both partners' revealed rounds.")
    promises = PromiseOutput(
        many=True,
        allow_null=True,
        help_text="promises scope, newest 30: yours and the couple's with the outcome the therapist sees; your "
        "partner's with the ledger's rule (a missed one reads ended). The therapist sees every outcome in full.",
    )
    repair_trend = TrendOutput(allow_null=True)
    practices = PracticeOutput(many=True, allow_null=True)
    next_sessions = SessionDateOutput(many=True)
    presession_notes = PreSessionNoteOutput(
        many=True, help_text="The notes for this therapist you may read: yours, and your partner's shared with you."
    )
    withheld = serializers.ListField(
        child=serializers.CharField(),
        help_text="Scopes where the therapist sees more than is shown here (your partner's private data).",
    )


def therapist_view_data(view: dict, *, user) -> dict:
    summary = view["summary"]
    return {
        "grant": {"id": view["grant"].pk, "expires_at": view["grant"].expires_at},
        "therapist": view["therapist"],
        "scopes": view["scopes"],
        "not_shared": view["not_shared"],
        "period": {"from": summary["from"], "to": summary["to"]},
        "sections": summary["sections"],
        "progress": view["progress"],
        "promises": None
        if view["promises"] is None
        else [promise_data(r, viewer_id=user.pk) for r in view["promises"]],
        "repair_trend": view["repair_trend"],
        "practices": view["practices"],
        "next_sessions": view["next_sessions"],
        "presession_notes": [
            {
                "id": n.pk,
                "author_person": {"id": n.author_id, "display_name": n.author.display_name},
                "is_mine": n.author_id == user.pk,
                "text": n.text,
                "share_with_partner": n.share_with_partner,
                "created_at": n.created_at,
            }
            for n in view["presession_notes"]
        ],
        "withheld": view["withheld"],
    }


class GrantViewApi(APIView):
    @extend_schema(
        responses=TherapistViewOutput,
        summary="What your therapist sees under this grant, scope by scope (a grant in force; else 409). "
        "Not a therapist read: nothing is written to the access log.",
    )
    def get(self, request, grant_id: int):
        grant = selectors.grant_active_for_member(user=request.user, grant_id=grant_id)
        view = selectors.therapist_view_for_member(user=request.user, grant=grant)
        return Response(TherapistViewOutput(therapist_view_data(view, user=request.user)).data)
