"""Journal API: thin views over ``services`` (writes) and ``selectors``
(reads). Every object endpoint goes through ``entry_get_for_author``, so
anyone but the author — partner, stranger, therapist — gets 404."""

from functools import cached_property

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from backend.errors import Forbidden, Invalid
from backend.output import RowsOutput

from . import selectors, services
from .models import INTENSITY_MAX, INTENSITY_MIN, MOOD_MAX, MOOD_MIN, Category, Kind

# --- output -------------------------------------------------------------------------


_CATEGORY_LABELS = dict(Category.choices)
_CATEGORY_LABELS_BY_LANGUAGE: dict[str | None, dict[str, str]] = {}


def _category_labels() -> dict[str, str]:
    """What ``entry.get_trigger_category_display()`` gives, for each
    category, in the current language: made once per language and process
    (the catalogs are read at start-up and never change while it runs), not
    per entry or per page (seven translation lookups were a twentieth of a
    journal page)."""
    language = get_language()
    labels = _CATEGORY_LABELS_BY_LANGUAGE.get(language)
    if labels is None:
        labels = _CATEGORY_LABELS_BY_LANGUAGE[language] = {
            value: str(label) for value, label in _CATEGORY_LABELS.items()
        }
    return labels


class JournalEntryOutput(RowsOutput, serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    readable = serializers.BooleanField(
        source="plain.readable", help_text="false when the author's key was destroyed; the text fields are then null"
    )
    text = serializers.CharField(source="plain.text", allow_null=True)
    mood = serializers.IntegerField(allow_null=True)
    tags = serializers.SerializerMethodField()
    trigger_category = serializers.SerializerMethodField()
    trigger_category_label = serializers.SerializerMethodField()
    intensity_before = serializers.IntegerField(allow_null=True)
    intensity_after = serializers.IntegerField(allow_null=True)
    grounded_at = serializers.DateTimeField(allow_null=True, help_text="when intensity_after was recorded")
    story = serializers.SerializerMethodField()
    need = serializers.SerializerMethodField()
    can_do = serializers.SerializerMethodField()

    @cached_property
    def category_labels(self) -> dict[str, str]:
        return _category_labels()

    def get_tags(self, obj) -> list[str]:
        return list(obj.plain.tags)

    def get_trigger_category(self, obj) -> str | None:
        return obj.trigger_category or None

    def get_trigger_category_label(self, obj) -> str | None:
        return obj.get_trigger_category_display() if obj.trigger_category else None

    def _trigger_text(self, obj, name: str) -> str | None:
        return getattr(obj.plain, name) if obj.kind == Kind.TRIGGER else None

    def get_story(self, obj) -> str | None:
        return self._trigger_text(obj, "story")

    def get_need(self, obj) -> str | None:
        return self._trigger_text(obj, "need")

    def get_can_do(self, obj) -> str | None:
        return self._trigger_text(obj, "can_do")

    def to_representation(self, obj):
        # The fields above, written at once: DRF's field-by-field pass was
        # most of a page's cost (tests/test_list_queries.py pins equality).
        plain = obj.plain
        trigger = obj.kind == Kind.TRIGGER
        return {
            "id": obj.pk,
            "kind": obj.kind,
            "created_at": self.dt(obj.created_at),
            "updated_at": self.dt(obj.updated_at),
            "readable": plain.readable,
            "text": plain.text,
            "mood": obj.mood,
            "tags": list(plain.tags),
            "trigger_category": obj.trigger_category or None,
            "trigger_category_label": (
                self.category_labels.get(obj.trigger_category, obj.trigger_category) if obj.trigger_category else None
            ),
            "intensity_before": obj.intensity_before,
            "intensity_after": obj.intensity_after,
            "grounded_at": self.dt(obj.grounded_at),
            "story": plain.story if trigger else None,
            "need": plain.need if trigger else None,
            "can_do": plain.can_do if trigger else None,
        }


class JournalMyEntryOutput(JournalEntryOutput):
    shared = serializers.SerializerMethodField()
    shared_at = serializers.SerializerMethodField()

    def get_shared(self, obj) -> bool:
        return obj.is_shared

    def get_shared_at(self, obj) -> str | None:
        return serializers.DateTimeField().to_representation(obj.share.created_at) if obj.is_shared else None

    def to_representation(self, obj):
        row = super().to_representation(obj)
        if hasattr(obj, "live_shared_at"):  # the list's annotation (entries_list_for_author)
            shared_at = obj.live_shared_at
        else:
            shared_at = obj.share.created_at if obj.is_shared else None
        row["shared"] = shared_at is not None
        row["shared_at"] = self.dt(shared_at)
        return row


class JournalAuthorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class JournalSharedEntryOutput(JournalEntryOutput):
    author = JournalAuthorOutput()
    shared_at = serializers.DateTimeField(source="share.created_at")

    def to_representation(self, obj):
        row = super().to_representation(obj)
        if hasattr(obj, "author_name"):  # the list's annotations (entries_shared_with_list)
            name, shared_at = obj.author_name, obj.share_created_at
        else:
            name, shared_at = obj.author.display_name, obj.share.created_at
        row["author"] = {"id": obj.author_id, "display_name": name}
        row["shared_at"] = self.dt(shared_at)
        return row


def _one(entry) -> dict:
    selectors.entries_unseal([entry])
    return JournalMyEntryOutput(entry).data


def _ensure_partner(user: User) -> None:
    if user.role != User.Role.PARTNER:
        raise Forbidden(gettext("The journal is for partner accounts."))


# --- input ----------------------------------------------------------------------------


class StrictText(serializers.CharField):
    """A JSON string, not a number turned into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictInteger(serializers.IntegerField):
    """A JSON whole number: not "5", not 5.5, not true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "maxLength": services.TAG_MAX}, "maxItems": services.TAGS_MAX}
)
class TagsField(serializers.JSONField):
    """Checked by the service, so that every problem with tags is one plain
    message on ``tags`` (not one nested error per item)."""


class JournalEntryCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    text = StrictText(
        max_length=services.TEXT_MAX,
        error_messages={"blank": _("Write a few words.")},
        help_text="the entry; for a trigger log, what happened",
    )
    mood = StrictInteger(min_value=MOOD_MIN, max_value=MOOD_MAX, required=False, allow_null=True)
    tags = TagsField(
        required=False, help_text=f"up to {services.TAGS_MAX} short words, {services.TAG_MAX} characters each"
    )
    trigger_category = serializers.ChoiceField(
        choices=Category.choices, required=False, allow_blank=True, allow_null=True
    )
    intensity_before = StrictInteger(min_value=INTENSITY_MIN, max_value=INTENSITY_MAX, required=False, allow_null=True)
    intensity_after = StrictInteger(min_value=INTENSITY_MIN, max_value=INTENSITY_MAX, required=False, allow_null=True)
    story = StrictText(
        max_length=services.FIELD_MAX,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="the story I am telling myself",
    )
    need = StrictText(
        max_length=services.FIELD_MAX, required=False, allow_blank=True, allow_null=True, help_text="what I need"
    )
    can_do = StrictText(
        max_length=services.FIELD_MAX,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="what I can do now",
    )


class JournalEntryPatchInput(JournalEntryCreateInput):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, help_text="cannot change")
    text = StrictText(
        max_length=services.TEXT_MAX, allow_null=True, required=False, error_messages={"blank": _("Write a few words.")}
    )


# --- views ---------------------------------------------------------------------------------


class JournalListApi(GenericAPIView):
    serializer_class = JournalMyEntryOutput

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=list(Kind.values), required=False)],
        responses=JournalMyEntryOutput(many=True),
    )
    def get(self, request):
        _ensure_partner(request.user)
        kind = request.query_params.get("kind")
        if kind is not None and kind not in Kind.values:
            raise Invalid(gettext("Use one of: %(values)s.") % {"values": ", ".join(Kind.values)}, field="kind")
        page = self.paginate_queryset(selectors.ENTRY_ROWS.bind(user=request.user, kind=kind))
        return self.get_paginated_response(JournalMyEntryOutput(selectors.entries_unseal(page), many=True).data)

    @extend_schema(request=JournalEntryCreateInput, responses={201: JournalMyEntryOutput})
    def post(self, request):
        _ensure_partner(request.user)
        data = JournalEntryCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.entry_create(author=request.user, **data.validated_data)
        return Response(_one(entry), status=status.HTTP_201_CREATED)


class JournalDetailApi(APIView):
    @extend_schema(responses=JournalMyEntryOutput)
    def get(self, request, entry_id: int):
        entry = selectors.entry_get_for_author(user=request.user, entry_id=entry_id)
        return Response(_one(entry))

    @extend_schema(request=JournalEntryPatchInput, responses=JournalMyEntryOutput)
    def patch(self, request, entry_id: int):
        entry = selectors.entry_get_for_author(user=request.user, entry_id=entry_id)
        data = JournalEntryPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        entry = services.entry_update(entry=entry, author=request.user, changes=dict(data.validated_data))
        entry = selectors.entry_get_for_author(user=request.user, entry_id=entry.pk)
        return Response(_one(entry))

    @extend_schema(responses={204: None})
    def delete(self, request, entry_id: int):
        entry = selectors.entry_get_for_author(user=request.user, entry_id=entry_id)
        services.entry_delete(entry=entry, author=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JournalShareApi(APIView):
    @extend_schema(request=None, responses=JournalMyEntryOutput, description="Shares this one entry with your partner.")
    def post(self, request, entry_id: int):
        entry = selectors.entry_get_for_author(user=request.user, entry_id=entry_id)
        services.entry_share(entry=entry, author=request.user)
        return Response(_one(selectors.entry_get_for_author(user=request.user, entry_id=entry.pk)))

    @extend_schema(responses={204: None}, description="Takes the entry back; your partner loses access at once.")
    def delete(self, request, entry_id: int):
        entry = selectors.entry_get_for_author(user=request.user, entry_id=entry_id)
        services.entry_unshare(entry=entry, author=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JournalSharedListApi(GenericAPIView):
    serializer_class = JournalSharedEntryOutput

    @extend_schema(
        responses=JournalSharedEntryOutput(many=True),
        description="Entries your partner chose to share with you, read-only, while you are together.",
    )
    def get(self, request):
        _ensure_partner(request.user)
        page = self.paginate_queryset(selectors.SHARED_ROWS.bind(user=request.user))
        return self.get_paginated_response(JournalSharedEntryOutput(selectors.entries_unseal(page), many=True).data)


class JournalPatternWeekOutput(serializers.Serializer):
    week_start = serializers.DateField(help_text="the Monday of the week, in your timezone")
    total = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="{trigger_category: count}")
    before_avg = serializers.FloatField(allow_null=True)
    grounded = serializers.IntegerField()
    grounded_before_avg = serializers.FloatField(allow_null=True)
    grounded_after_avg = serializers.FloatField(allow_null=True)


class JournalIntensityOutput(serializers.Serializer):
    before_avg = serializers.FloatField(allow_null=True, help_text="average intensity of every trigger log")
    grounded = serializers.IntegerField(help_text="trigger logs with an intensity recorded after grounding")
    grounded_before_avg = serializers.FloatField(allow_null=True)
    grounded_after_avg = serializers.FloatField(allow_null=True)


class JournalPatternsOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    timezone = serializers.CharField()
    total = serializers.IntegerField()
    by_category = serializers.DictField(child=serializers.IntegerField())
    intensity = JournalIntensityOutput()
    weeks = JournalPatternWeekOutput(many=True)


class JournalPatternsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "weeks",
                {"type": "integer", "minimum": 1, "maximum": selectors.PATTERN_WEEKS_MAX},
                required=False,
                description="1 to 52; default 12",
            )
        ],
        responses=JournalPatternsOutput,
        description="Your own trigger patterns: counts by category per week, intensity before and after grounding.",
    )
    def get(self, request):
        _ensure_partner(request.user)
        raw = request.query_params.get("weeks", str(selectors.PATTERN_WEEKS_DEFAULT))
        if not raw.isdigit() or len(raw) > 3 or not 1 <= int(raw) <= selectors.PATTERN_WEEKS_MAX:
            raise Invalid(f"weeks must be a whole number from 1 to {selectors.PATTERN_WEEKS_MAX}.", field="weeks")
        patterns = selectors.patterns_for_author(user=request.user, weeks=int(raw))
        return Response(JournalPatternsOutput(patterns).data)
