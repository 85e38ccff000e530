from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.fields import StrictBooleanField, StrictCharField
from backend.throttles import PersonThrottle, ScopedThrottle

from . import selectors, services


class MemberListMixin:
    """For a list of the couple's rows read through
    ``selectors.couple_ids_of_member`` (the couple by subquery, in the page's
    own query): someone not paired gets the same 404 as before, and first,
    before any error of the page itself; a paired person with nothing yet
    gets an empty page. Only an empty or refused page asks for the couple."""

    def paginate_for_member(self, queryset) -> list:
        try:
            page = self.paginate_queryset(queryset)
        except Exception:
            selectors.couple_get_for_member(user=self.request.user)  # not paired: that 404 first
            raise
        if not page:
            selectors.couple_get_for_member(user=self.request.user)
        return page


class PartnerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CoupleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    partners = serializers.SerializerMethodField()
    timezone = serializers.CharField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PartnerOutput(many=True))
    def get_partners(self, couple) -> list[dict]:
        return PartnerOutput(selectors.couple_partners(couple=couple), many=True).data


class InviteOutput(serializers.Serializer):
    code = serializers.CharField()
    display_code = serializers.CharField(help_text="The code grouped for reading aloud: ABCD-EFGH.")
    expires_at = serializers.DateTimeField()


class InviteCreateApi(APIView):
    throttle_classes = [ScopedThrottle]
    throttle_scope = "pair_invite"

    @extend_schema(request=None, responses={201: InviteOutput})
    def post(self, request):
        invite = services.invite_create(user=request.user)
        return Response(InviteOutput(invite).data, status=status.HTTP_201_CREATED)


class JoinThrottle(PersonThrottle):
    scope = "pair_join"


class CoupleJoinApi(APIView):
    throttle_classes = [JoinThrottle]

    class JoinInput(serializers.Serializer):
        code = StrictCharField(max_length=32)

    @extend_schema(request=JoinInput, responses={201: CoupleOutput})
    def post(self, request):
        data = self.JoinInput(data=request.data)
        data.is_valid(raise_exception=True)
        couple = services.couple_join(user=request.user, code=data.validated_data["code"])
        return Response(CoupleOutput(couple).data, status=status.HTTP_201_CREATED)


class CoupleDetailApi(APIView):
    @extend_schema(responses=CoupleOutput)
    def get(self, request):
        couple = selectors.couple_get_for_member(user=request.user)
        return Response(CoupleOutput(couple).data)


class LeaveThrottle(PersonThrottle):
    # Leaving asks for the password: without a limit, a signed-in phone left
    # unlocked could be used to guess it.
    scope = "pair_leave"


class CoupleLeaveApi(APIView):
    throttle_classes = [LeaveThrottle]

    class LeaveInput(serializers.Serializer):
        password = StrictCharField(max_length=128, trim_whitespace=False)
        block_partner = StrictBooleanField(
            default=True,
            help_text="Stop this former partner from pairing with you again (the default). It lifts when you "
            "make a new code and they enter it, or when you turn it off (DELETE /me/pairing-blocks/{id}/).",
        )
        notice = StrictBooleanField(
            default=False,
            help_text="Send the partner who stays one content-free notice: 'Your couple on Steady has ended', "
            "the next morning in their timezone. No reason, no time of day.",
        )

    @extend_schema(request=LeaveInput, responses={204: None})
    def post(self, request):
        data = self.LeaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.couple_leave(user=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PairingBlockOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="blocked.display_name")
    created_on = serializers.SerializerMethodField(help_text="The day it was set, in your timezone.")

    def get_created_on(self, block) -> str:
        from backend.localtime import local_date

        return local_date(instant=block.created_at, tz=self.context["tz"]).isoformat()


class PairingBlockListApi(APIView):
    @extend_schema(responses=PairingBlockOutput(many=True))
    def get(self, request):
        rows = selectors.pairing_blocks_set_by(user=request.user)
        return Response(PairingBlockOutput(rows, many=True, context={"tz": request.user.timezone}).data)


class PairingBlockDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, block_id: int):
        services.pairing_block_lift(user=request.user, block_id=block_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
