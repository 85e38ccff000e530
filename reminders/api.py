from functools import cached_property

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.fields import StrictBooleanField, StrictCharField, StrictIntegerField
from backend.output import RowsOutput

from . import selectors, services
from .kinds import KINDS
from .models import Notification, Preference


class NotificationOutput(RowsOutput, serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "url", "created_at", "read_at"]

    @cached_property
    def titles(self) -> dict[str, str]:
        """Each stored title as ``title_shown`` gives it in the reader's
        language, translated once per page: a page repeats a handful of
        titles, and a translation lookup per row was a quarter of it."""
        return {}

    def _title(self, notification) -> str:
        shown = self.titles.get(notification.title)
        if shown is None:
            shown = self.titles[notification.title] = notification.title_shown
        return shown

    def to_representation(self, notification):
        # The fields above, written at once: DRF's field-by-field pass was
        # most of a page's cost (tests/test_list_queries.py pins equality).
        return {
            "id": notification.pk,
            "kind": notification.kind,
            "title": self._title(notification),
            "url": notification.url,
            "created_at": self.dt(notification.created_at),
            "read_at": self.dt(notification.read_at),
        }


class NotificationListApi(GenericAPIView):
    serializer_class = NotificationOutput

    @extend_schema(responses=NotificationOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.NOTIFICATION_ROWS.bind(user=request.user))
        response = self.get_paginated_response(NotificationOutput(page, many=True).data)
        # On the page's rows; an empty page asks.
        unread = getattr(page[0], selectors.UNREAD) if page else None
        response.data["unread_count"] = (
            selectors.notifications_unread_count(user=request.user) if unread is None else unread
        )
        return response


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request, notification_id: int):
        notification = Notification.objects.filter(user=request.user, pk=notification_id).first()
        if notification is None:
            raise Http404
        return Response(NotificationOutput(services.notification_mark_read(notification=notification)).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}))
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})


class PreferencesOutput(serializers.ModelSerializer):
    kinds = serializers.SerializerMethodField()

    class Meta:
        model = Preference
        fields = ["email", "push", "daily_cap", "lead_minutes", "gratitude_nudge_days", "kinds"]

    def get_kinds(self, prefs) -> dict[str, bool]:
        from .kinds import is_enabled

        return {key: is_enabled(kind, prefs.kinds) for key, kind in KINDS.items()}


class KindsField(serializers.DictField):
    """{kind: on or off}; the schema names the kinds there are (KINDS fills
    up as the apps register theirs, so it is read when the schema is made)."""

    def __init__(self, **kwargs):
        super().__init__(child=StrictBooleanField(), **kwargs)


class KindsFieldSchema(OpenApiSerializerFieldExtension):
    target_class = KindsField

    def map_serializer_field(self, auto_schema, direction):
        kinds = {key: {"type": "boolean"} for key in sorted(KINDS)}
        return {"type": "object", "properties": kinds, "additionalProperties": False}


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "p256dh": {"type": "string", "minLength": 1, "maxLength": 200},
            "auth": {"type": "string", "minLength": 1, "maxLength": 100},
        },
        "required": ["p256dh", "auth"],
        "additionalProperties": {"type": "string", "maxLength": 200},
    }
)
class PushKeysField(serializers.DictField):
    """The subscription's keys, as the browser gives them."""

    def __init__(self, **kwargs):
        super().__init__(child=StrictCharField(max_length=200), **kwargs)


class PreferencesApi(APIView):
    class PreferencesInput(serializers.Serializer):
        email = StrictBooleanField(required=False)
        push = StrictBooleanField(required=False)
        daily_cap = StrictIntegerField(min_value=1, max_value=20, required=False)
        lead_minutes = StrictIntegerField(min_value=0, max_value=240, required=False)
        gratitude_nudge_days = StrictIntegerField(min_value=1, max_value=30, required=False, allow_null=True)
        kinds = KindsField(required=False)

    @extend_schema(responses=PreferencesOutput)
    def get(self, request):
        return Response(PreferencesOutput(services.prefs_for(request.user)).data)

    @extend_schema(request=PreferencesInput, responses=PreferencesOutput)
    def patch(self, request):
        data = self.PreferencesInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        prefs = services.preferences_update(user=request.user, data=data.validated_data)
        return Response(PreferencesOutput(prefs).data)


class PushSubscriptionApi(APIView):
    class KeysInput(serializers.Serializer):
        p256dh = StrictCharField(max_length=200)
        auth = StrictCharField(max_length=100)

    class SubscriptionInput(serializers.Serializer):
        endpoint = serializers.URLField(max_length=1000)
        keys = PushKeysField()

        def validate_endpoint(self, value: str) -> str:
            if not value.startswith("https://"):
                raise serializers.ValidationError(gettext("A push endpoint must be an https URL."))
            return value

        def validate_keys(self, value: dict) -> dict:
            if not value.get("p256dh") or not value.get("auth") or len(value["auth"]) > 100:
                raise serializers.ValidationError(gettext("Both p256dh and auth keys are needed."))
            return value

    class UnsubscribeInput(serializers.Serializer):
        endpoint = serializers.URLField(max_length=1000)

    @extend_schema(request=SubscriptionInput, responses={201: None})
    def post(self, request):
        data = self.SubscriptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        token = request.auth if isinstance(request.auth, AuthToken) else None
        services.push_subscribe(
            user=request.user,
            endpoint=v["endpoint"],
            p256dh=v["keys"]["p256dh"],
            auth=v["keys"]["auth"],
            session_key="" if token else (request.session.session_key or ""),
            token_key=token.token_key if token else "",
        )
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=UnsubscribeInput, responses={204: None})
    def delete(self, request):
        data = self.UnsubscribeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.push_unsubscribe(user=request.user, endpoint=data.validated_data["endpoint"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class VapidKeyApi(APIView):
    @extend_schema(responses=inline_serializer("VapidKey", {"public_key": serializers.CharField(allow_blank=True)}))
    def get(self, request):
        return Response({"public_key": settings.STEADY_VAPID_PUBLIC_KEY})
