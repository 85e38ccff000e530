"""Agreements API: thin views over selectors (reads, 404 outside the couple)
and services (writes). See docs/agreements.md for the rules."""

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import Invalid
from backend.fields import StrictCharField, StrictIntegerField
from backend.output import RowsOutput
from backend.pagination import Pagination
from couples.api import MemberListMixin
from couples.selectors import couple_get_for_member

from . import selectors, services
from .models import DETAILS_MAX, NOTE_MAX, REASON_MAX, REVIEW_MAX_DAYS, REVIEW_MIN_DAYS, TITLE_MAX, Category, Reflection

# --- output ---------------------------------------------------------------------------------


class AgreementPeriodOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class AgreementOutput(RowsOutput, serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="current.title")
    details = serializers.CharField(source="current.details")
    category = serializers.ChoiceField(source="current.category", choices=Category.choices)
    category_label = serializers.CharField(source="current.category_label")
    review_every_days = serializers.IntegerField(source="current.review_every_days", allow_null=True)
    status = serializers.CharField()
    version = serializers.IntegerField(help_text="The current version; send it back to accept, amend or decline.")
    proposed_by = serializers.IntegerField(source="current.proposed_by_id", allow_null=True)
    proposed_at = serializers.DateTimeField(source="current.proposed_at")
    accepted_by = serializers.IntegerField(source="current.accepted_by_id", allow_null=True)
    accepted_at = serializers.DateTimeField(source="current.accepted_at", allow_null=True)
    active_since = serializers.DateTimeField(allow_null=True)
    declined_by = serializers.IntegerField(source="current.declined_by_id", allow_null=True)
    declined_at = serializers.DateTimeField(source="current.declined_at", allow_null=True)
    decline_reason = serializers.CharField(source="current.decline_reason")
    retired_by = serializers.IntegerField(source="retired_by_id", allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)
    retire_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    can_accept = serializers.SerializerMethodField(help_text="Whether the viewer is the one to accept this version.")
    current_period = serializers.SerializerMethodField(help_text="The reflection period now; null unless active.")

    def get_can_accept(self, obj) -> bool:
        user = self.context["user"]
        return obj.status == "proposed" and obj.current.proposed_by_id not in (None, user.pk)

    @extend_schema_field(AgreementPeriodOutput(allow_null=True))
    def get_current_period(self, obj) -> dict | None:
        period = selectors.agreement_current_period(agreement=obj, now=self.context.get("now"))
        return AgreementPeriodOutput(period).data if period else None

    def to_representation(self, obj):
        # The fields above, written at once: DRF's field-by-field pass was
        # most of a page's cost (tests/test_list_queries.py pins equality).
        current, dt = obj.current, self.dt
        period = selectors.agreement_current_period(agreement=obj, now=self.context.get("now"))
        return {
            "id": obj.id,
            "title": current.title,
            "details": current.details,
            "category": current.category,
            "category_label": current.category_label,
            "review_every_days": current.review_every_days,
            "status": obj.status,
            "version": obj.version,
            "proposed_by": current.proposed_by_id,
            "proposed_at": dt(current.proposed_at),
            "accepted_by": current.accepted_by_id,
            "accepted_at": dt(current.accepted_at),
            "active_since": dt(obj.active_since),
            "declined_by": current.declined_by_id,
            "declined_at": dt(current.declined_at),
            "decline_reason": current.decline_reason,
            "retired_by": obj.retired_by_id,
            "retired_at": dt(obj.retired_at),
            "retire_reason": obj.retire_reason,
            "created_at": dt(obj.created_at),
            "updated_at": dt(obj.updated_at),
            "can_accept": self.get_can_accept(obj),
            "current_period": {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else None,
        }


class AgreementVersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    details = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    category_label = serializers.CharField()
    review_every_days = serializers.IntegerField(allow_null=True)
    proposed_by = serializers.IntegerField(source="proposed_by_id", allow_null=True)
    proposed_at = serializers.DateTimeField()
    accepted_by = serializers.IntegerField(source="accepted_by_id", allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    declined_by = serializers.IntegerField(source="declined_by_id", allow_null=True)
    declined_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()


class AgreementReflectionOutput(serializers.Serializer):
    author = serializers.IntegerField(source="author_id")
    outcome = serializers.ChoiceField(choices=Reflection.Outcome.choices)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AgreementReflectionPeriodOutput(serializers.Serializer):
    period_start = serializers.DateField(source="start")
    period_end = serializers.DateField(source="end")
    version = serializers.IntegerField()
    revealed_at = serializers.DateTimeField(allow_null=True)
    mine = AgreementReflectionOutput(allow_null=True)
    partner = AgreementReflectionOutput(allow_null=True, help_text="null until both partners reflected on this period")


class AgreementReflectionPageOutput(serializers.Serializer):
    """The paginated periods, plus the period a reflection posted now goes to."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AgreementReflectionPeriodOutput(many=True)
    current_period = AgreementPeriodOutput(allow_null=True, help_text="null unless the agreement is active")


class AgreementFollowThroughPartnerOutput(serializers.Serializer):
    partner_id = serializers.IntegerField()
    display_name = serializers.CharField()
    you = serializers.BooleanField()
    kept = serializers.IntegerField()
    partly = serializers.IntegerField()
    missed = serializers.IntegerField()


class AgreementFollowThroughOutcomeOutput(serializers.Serializer):
    partner_id = serializers.IntegerField()
    outcome = serializers.CharField(allow_null=True)


class AgreementFollowThroughPeriodOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    outcomes = AgreementFollowThroughOutcomeOutput(
        many=True, help_text="the caller's own outcome for this period (since v1.1: never the partner's)"
    )
    both_kept = serializers.BooleanField(help_text="both partners said kept for this period")


class AgreementFollowThroughTogetherOutput(serializers.Serializer):
    periods = serializers.IntegerField(help_text="periods both partners reflected on (revealed)")
    kept = serializers.IntegerField(help_text="of those, the periods both called kept")


class AgreementFollowThroughOutput(serializers.Serializer):
    together = AgreementFollowThroughTogetherOutput(help_text="what the couple did together, the same for both")
    partners = AgreementFollowThroughPartnerOutput(
        many=True,
        help_text="the caller's own totals only, one entry (since v1.1: no scorekeeping between partners; each "
        "partner's revealed outcome stays in the reflections, period by period)",
    )
    periods = AgreementFollowThroughPeriodOutput(many=True)


def agreement_data(agreement, *, user) -> dict:
    return AgreementOutput(agreement, context={"user": user, "now": timezone.now()}).data


# --- input ------------------------------------------------------------------------------------


class AgreementCreateInput(serializers.Serializer):
    title = StrictCharField(max_length=TITLE_MAX)
    details = StrictCharField(max_length=DETAILS_MAX, required=False, default="", allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices)
    review_every_days = StrictIntegerField(
        min_value=REVIEW_MIN_DAYS, max_value=REVIEW_MAX_DAYS, required=False, allow_null=True, default=None
    )


class AgreementAmendInput(serializers.Serializer):
    version = StrictIntegerField(min_value=1, help_text="The version you amend from; a stale one gets 409.")
    title = StrictCharField(max_length=TITLE_MAX, required=False)
    details = StrictCharField(max_length=DETAILS_MAX, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    review_every_days = StrictIntegerField(
        min_value=REVIEW_MIN_DAYS, max_value=REVIEW_MAX_DAYS, required=False, allow_null=True
    )


class AgreementAcceptInput(serializers.Serializer):
    version = StrictIntegerField(min_value=1, help_text="The version you read; a stale one gets 409.")


class AgreementDeclineInput(serializers.Serializer):
    reason = StrictCharField(max_length=REASON_MAX, required=False, default="", allow_blank=True)
    version = StrictIntegerField(min_value=1, required=False, help_text="The version you read; a stale one gets 409.")


class AgreementRetireInput(serializers.Serializer):
    reason = StrictCharField(max_length=REASON_MAX, required=False, default="", allow_blank=True)


class AgreementReflectionInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Reflection.Outcome.choices)
    note = StrictCharField(max_length=NOTE_MAX, required=False, default="", allow_blank=True)


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# --- views -------------------------------------------------------------------------------------


class AgreementListApi(MemberListMixin, GenericAPIView):
    serializer_class = AgreementOutput

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(selectors.STATUSES), required=False)],
        responses=AgreementOutput(many=True),
    )
    def get(self, request):
        wanted = request.query_params.get("status")
        if wanted is not None and wanted not in selectors.STATUSES:
            raise Invalid(
                gettext("Use one of: %(values)s.") % {"values": ", ".join(selectors.STATUSES)}, field="status"
            )
        page = self.paginate_for_member(selectors.AGREEMENT_ROWS.bind(user=request.user, status=wanted))
        context = {"user": request.user, "now": timezone.now()}
        return self.get_paginated_response(AgreementOutput(page, many=True, context=context).data)

    @extend_schema(request=AgreementCreateInput, responses={201: AgreementOutput})
    def post(self, request):
        couple = couple_get_for_member(user=request.user)
        data = _valid(AgreementCreateInput, request)
        agreement = services.agreement_propose(couple=couple, user=request.user, **data)
        return Response(agreement_data(agreement, user=request.user), status=status.HTTP_201_CREATED)


class AgreementDetailApi(APIView):
    @extend_schema(responses=AgreementOutput)
    def get(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        return Response(agreement_data(agreement, user=request.user))


class AgreementAcceptApi(APIView):
    @extend_schema(request=AgreementAcceptInput, responses=AgreementOutput)
    def post(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        data = _valid(AgreementAcceptInput, request)
        agreement = services.agreement_accept(agreement=agreement, user=request.user, version=data["version"])
        return Response(agreement_data(agreement, user=request.user))


class AgreementAmendApi(APIView):
    @extend_schema(request=AgreementAmendInput, responses=AgreementOutput)
    def post(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        data = dict(_valid(AgreementAmendInput, request))
        version = data.pop("version")
        if not data:
            raise Invalid(gettext("Change the title, details, category or review interval."))
        agreement = services.agreement_amend(agreement=agreement, user=request.user, version=version, changes=data)
        return Response(agreement_data(agreement, user=request.user))


class AgreementDeclineApi(APIView):
    @extend_schema(request=AgreementDeclineInput, responses=AgreementOutput)
    def post(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        data = _valid(AgreementDeclineInput, request)
        agreement = services.agreement_decline(
            agreement=agreement, user=request.user, reason=data["reason"], version=data.get("version")
        )
        return Response(agreement_data(agreement, user=request.user))


class AgreementRetireApi(APIView):
    @extend_schema(request=AgreementRetireInput, responses=AgreementOutput)
    def post(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        data = _valid(AgreementRetireInput, request)
        agreement = services.agreement_retire(agreement=agreement, user=request.user, reason=data["reason"])
        return Response(agreement_data(agreement, user=request.user))


class AgreementVersionsApi(GenericAPIView):
    serializer_class = AgreementVersionOutput

    @extend_schema(responses=AgreementVersionOutput(many=True))
    def get(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        page = self.paginate_queryset(selectors.agreement_versions(agreement=agreement))
        return self.get_paginated_response(AgreementVersionOutput(page, many=True).data)


class AgreementReflectionsApi(GenericAPIView):
    """Reflections per period: your own, and your partner's once you have
    both reflected on that period. A period only your partner reflected on
    does not appear."""

    serializer_class = AgreementReflectionPeriodOutput

    @extend_schema(
        parameters=Pagination.schema_parameters(),
        responses=AgreementReflectionPageOutput,
    )
    def get(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        page = self.paginate_queryset(selectors.my_reflections(agreement=agreement, user=request.user))
        periods = selectors.reflection_periods_for(agreement=agreement, user=request.user, mine=page)
        response = self.get_paginated_response(AgreementReflectionPeriodOutput(periods, many=True).data)
        current = selectors.agreement_current_period(agreement=agreement)
        response.data["current_period"] = AgreementPeriodOutput(current).data if current else None
        return response

    @extend_schema(
        request=AgreementReflectionInput,
        responses={200: AgreementReflectionPeriodOutput, 201: AgreementReflectionPeriodOutput},
    )
    def post(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        data = _valid(AgreementReflectionInput, request)
        reflection, created = services.reflection_submit(agreement=agreement, author=request.user, **data)
        period = selectors.reflection_periods_for(agreement=agreement, user=request.user, mine=[reflection])[0]
        return Response(
            AgreementReflectionPeriodOutput(period).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AgreementFollowThroughApi(APIView):
    @extend_schema(responses=AgreementFollowThroughOutput)
    def get(self, request, agreement_id: int):
        agreement = selectors.agreement_get_for_member(user=request.user, agreement_id=agreement_id)
        return Response(
            AgreementFollowThroughOutput(
                selectors.agreement_followthrough(agreement=agreement, viewer=request.user)
            ).data
        )
