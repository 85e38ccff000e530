"""The reassurance ritual and "I steadied myself" (API.md, "Reassurance and
steadying"). Reads through ``selectors`` (``messages_for`` decides what of
the partner shows), writes through ``services``."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import Forbidden, Invalid
from backend.fields import LocalTimeField, StrictCharField, StrictIntegerField
from couples.api import MemberListMixin
from couples.selectors import couple_get_for_member

from . import selectors, services
from .models import Digest, Occurrence, Phrase, Ritual, RitualVersion


def _dt(value):
    return serializers.DateTimeField().to_representation(value) if value else None


# --- the ritual -------------------------------------------------------------------------------


class RitualTermsOutput(serializers.Serializer):
    mode = serializers.ChoiceField(choices=RitualVersion.Mode.choices)
    weekdays = serializers.ListField(child=serializers.IntegerField())
    time = LocalTimeField(allow_null=True)
    timezone = serializers.CharField(allow_null=True)
    after_timeout_minutes = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()


def _terms(v: RitualVersion | None) -> dict | None:
    if v is None:
        return None
    return {
        "mode": v.mode,
        "weekdays": v.weekdays,
        "time": v.time.strftime("%H:%M") if v.time else None,
        "timezone": v.timezone or None,
        "after_timeout_minutes": v.after_timeout_minutes,
        "description": services.ritual_describe(v),
    }


class RitualOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["proposed", "active"])
    next_at = serializers.DateTimeField(allow_null=True, help_text="The next ritual time in force (DST-true).")
    proposed = RitualTermsOutput(help_text="The version under discussion (or in force).")
    active = RitualTermsOutput(allow_null=True, help_text="The terms in force, or null.")
    can_accept = serializers.BooleanField()


def ritual_data(ritual: Ritual, user) -> dict:
    current = selectors.ritual_version(ritual, ritual.version)
    active = (
        current if ritual.active_version == ritual.version else selectors.ritual_version(ritual, ritual.active_version)
    )
    return {
        "id": ritual.pk,
        "version": ritual.version,
        "status": ritual.status,
        "next_at": _dt(services.ritual_next_time(ritual=ritual, terms=active, now=timezone.now())),
        "proposed": _terms(current),
        "active": _terms(active),
        "can_accept": ritual.status == Ritual.Status.PROPOSED and current.proposed_by_id != user.pk,
    }


class RitualInput(serializers.Serializer):
    weekdays = serializers.ListField(child=StrictIntegerField(), required=False, allow_null=True, max_length=7)
    time = LocalTimeField(required=False, allow_null=True)
    timezone = StrictCharField(required=False, allow_null=True, max_length=64)
    after_timeout_minutes = StrictIntegerField(required=False, allow_null=True)
    version = StrictIntegerField(required=False, help_text="The version read, when amending.")


class RitualApi(APIView):
    @extend_schema(responses=RitualOutput, summary="The couple's reassurance ritual (404 without one)")
    def get(self, request):
        couple_get_for_member(user=request.user)
        ritual = selectors.ritual_of_member(user=request.user)
        if ritual is None:
            raise Http404(gettext("No ritual yet."))
        return Response(ritual_data(ritual, request.user))

    @extend_schema(request=RitualInput, responses={201: RitualOutput}, summary="Propose the ritual, or a new version")
    def post(self, request):
        data = RitualInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version", None)
        ritual = services.ritual_propose(user=request.user, data=values, version=version)
        return Response(ritual_data(ritual, request.user), status=201)


class RitualAcceptApi(APIView):
    class RitualAcceptInput(serializers.Serializer):
        version = StrictIntegerField(min_value=1, help_text="The version you read; a stale one gets 409.")

    @extend_schema(
        request=RitualAcceptInput, responses=RitualOutput, summary="Accept the version you read (the other partner)"
    )
    def post(self, request, ritual_id: int):
        data = self.RitualAcceptInput(data=request.data)
        if not data.is_valid():
            selectors_ritual_guard(request.user, ritual_id)
            data.is_valid(raise_exception=True)
        ritual = services.ritual_accept(ritual_id=ritual_id, user=request.user, version=data.validated_data["version"])
        return Response(ritual_data(ritual, request.user))


def selectors_ritual_guard(user, ritual_id: int) -> None:
    """A stranger learns nothing, not even from a bad body: 404 first."""
    ritual = selectors.ritual_of_member(user=user)
    if ritual is None or ritual.pk != ritual_id:
        raise Http404


# --- phrases ----------------------------------------------------------------------------------


class ReassurancePhraseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class ReassurancePhraseInput(serializers.Serializer):
    text = StrictCharField(allow_blank=True, trim_whitespace=False)


def _phrase(p: Phrase) -> dict:
    return {"id": p.pk, "text": p.text}


class PhrasesApi(APIView):
    @extend_schema(responses=ReassurancePhraseOutput(many=True), summary="My own reassuring phrases")
    def get(self, request):
        return Response([_phrase(p) for p in selectors.phrases_of(user=request.user)])

    @extend_schema(request=ReassurancePhraseInput, responses={201: ReassurancePhraseOutput})
    def post(self, request):
        data = ReassurancePhraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(_phrase(services.phrase_add(user=request.user, text=data.validated_data["text"])), status=201)


class PhraseApi(APIView):
    @extend_schema(request=ReassurancePhraseInput, responses=ReassurancePhraseOutput)
    def patch(self, request, phrase_id: int):
        services.phrase_get_own(user=request.user, phrase_id=phrase_id)
        data = ReassurancePhraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        phrase = services.phrase_edit(user=request.user, phrase_id=phrase_id, text=data.validated_data["text"])
        return Response(_phrase(phrase))

    @extend_schema(responses={204: None})
    def delete(self, request, phrase_id: int):
        services.phrase_delete(user=request.user, phrase_id=phrase_id)
        return Response(status=204)


# --- occurrences ------------------------------------------------------------------------------


def occurrence_status(o: Occurrence, mine: str | None, now) -> str:
    """What the caller sees: ``open``, ``waiting`` (I wrote mine),
    ``revealed`` or ``closed``; never whether the partner wrote."""
    if o.revealed_at is not None:
        return "revealed"
    if services.occurrence_is_open(o, now):
        return "waiting" if mine is not None else "open"
    return "closed"


class RitualOccurrenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["open", "waiting", "revealed", "closed"])
    mine = serializers.CharField(allow_null=True)
    partner = serializers.CharField(allow_null=True, help_text="Null until both wrote.")
    revealed_at = serializers.DateTimeField(allow_null=True)
    partner_phrases = serializers.ListField(
        child=serializers.CharField(), help_text="What the partner finds reassuring: only while this one is open."
    )

    def to_representation(self, o: Occurrence) -> dict:
        user = self.context["user"]
        mine, partner = selectors.messages_for(occurrence=o, user=user)
        detail = self.context.get("detail", False)
        return {
            "id": o.pk,
            "at": _dt(o.at),
            "closes_at": _dt(o.closes_at),
            "status": occurrence_status(o, mine, timezone.now()),
            "mine": mine,
            "partner": partner,
            "revealed_at": _dt(o.revealed_at),
            "partner_phrases": services.partner_phrases_for(occurrence=o, user=user) if detail else [],
        }


def occurrence_data(o: Occurrence, user) -> dict:
    o = selectors.with_messages(Occurrence.objects.filter(pk=o.pk).select_related("couple")).get()
    return RitualOccurrenceOutput(o, context={"user": user, "detail": True}).data


class OccurrencesApi(MemberListMixin, GenericAPIView):
    serializer_class = RitualOccurrenceOutput

    @extend_schema(responses=RitualOccurrenceOutput(many=True), summary="Past and current ritual times, newest first")
    def get(self, request):
        page = self.paginate_for_member(selectors.occurrences_for_member(user=request.user))
        return self.get_paginated_response(RitualOccurrenceOutput(page, many=True, context={"user": request.user}).data)


class OccurrenceApi(APIView):
    class RitualMessageInput(serializers.Serializer):
        text = StrictCharField(allow_blank=True, trim_whitespace=False)

    @extend_schema(responses=RitualOccurrenceOutput, summary="One ritual time; the partner's message once both wrote")
    def get(self, request, occurrence_id: int):
        o = selectors.access_occurrence(user=request.user, occurrence_id=occurrence_id)
        return Response(occurrence_data(o, request.user))

    @extend_schema(
        request=RitualMessageInput,
        responses=RitualOccurrenceOutput,
        summary="Write (or change) my message until both wrote",
    )
    def put(self, request, occurrence_id: int):
        selectors.access_occurrence(user=request.user, occurrence_id=occurrence_id)
        data = self.RitualMessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        o = services.message_write(user=request.user, occurrence_id=occurrence_id, text=data.validated_data["text"])
        return Response(occurrence_data(o, request.user))


# --- "I steadied myself" -----------------------------------------------------------------------


def _partners_only(user) -> None:
    if user.is_therapist:
        raise Forbidden(gettext("This is for partners only."))


class SteadiedAfterInput(serializers.Serializer):
    journal_entry = StrictIntegerField(required=False)
    timeout = StrictIntegerField(required=False)


class SteadiedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    what = serializers.CharField(allow_null=True, help_text="Null when it can no longer be read.")
    readable = serializers.BooleanField()
    helped = serializers.CharField(allow_null=True)
    after = serializers.DictField(allow_null=True)
    created_at = serializers.DateTimeField()


def _steadied(record, what) -> dict:
    return {
        "id": record.pk,
        "what": what,
        "readable": what is not None,
        "helped": record.helped or None,
        "after": selectors._after(record),
        "created_at": _dt(record.created_at),
    }


class SteadiedApi(GenericAPIView):
    serializer_class = SteadiedOutput

    class SteadiedInput(serializers.Serializer):
        what = StrictCharField(allow_blank=True, trim_whitespace=False)
        helped = serializers.ChoiceField(choices=["a_little", "a_lot"], required=False, allow_null=True)
        after = SteadiedAfterInput(required=False, allow_null=True)

    @extend_schema(responses=SteadiedOutput(many=True), summary="My own records of steadying myself (private)")
    def get(self, request):
        _partners_only(request.user)
        page = self.paginate_queryset(selectors.steadied_of(user=request.user))
        rows = services.steadied_open(list(page), request.user.pk)
        return self.get_paginated_response([_steadied(r, w) for r, w in rows])

    @extend_schema(request=SteadiedInput, responses={201: SteadiedOutput})
    def post(self, request):
        _partners_only(request.user)
        data = self.SteadiedInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        after = v.get("after")
        if after is not None and len(after) != 1:
            raise Invalid(gettext('Give {"journal_entry": id} or {"timeout": id}, or leave it out.'), field="after")
        record = services.steadied_record(
            user=request.user, what=v["what"], helped=v.get("helped") or "", after=dict(after) if after else None
        )
        (row,) = services.steadied_open([record], request.user.pk)
        return Response(_steadied(*row), status=201)


class SteadiedDigestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    month = serializers.CharField()
    author = serializers.DictField()
    items = serializers.ListField(child=serializers.DictField(), allow_null=True)
    shared_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)


def _digest(d: Digest) -> dict:
    return {
        "id": d.pk,
        "month": d.month.strftime("%Y-%m"),
        "author": {"id": d.author_id, "display_name": d.author.display_name},
        "items": services.digest_items(d),
        "shared_at": _dt(d.shared_at),
        "acknowledged_at": _dt(d.acknowledged_at),
    }


class DigestsApi(APIView):
    class SteadiedDigestInput(serializers.Serializer):
        month = StrictCharField(max_length=7, help_text="YYYY-MM")

    @extend_schema(
        parameters=[OpenApiParameter("box", str, enum=["mine", "shared_with_me"])],
        responses=SteadiedDigestOutput(many=True),
        summary="My shared digests, or those my partner shares with me",
    )
    def get(self, request):
        _partners_only(request.user)
        box = request.query_params.get("box", "mine")
        if box not in ("mine", "shared_with_me"):
            raise Invalid(gettext("Choose mine or shared_with_me."), field="box")
        rows = (
            selectors.digests_mine(user=request.user)
            if box == "mine"
            else selectors.digests_shared_with(user=request.user)
        )
        return Response([_digest(d) for d in rows.select_related("author")])

    @extend_schema(
        request=SteadiedDigestInput,
        responses={201: SteadiedDigestOutput},
        summary="Share a month's digest with my partner",
    )
    def post(self, request):
        _partners_only(request.user)
        data = self.SteadiedDigestInput(data=request.data)
        data.is_valid(raise_exception=True)
        digest = services.digest_share(user=request.user, month=data.validated_data["month"])
        return Response(_digest(digest), status=201)


class DigestApi(APIView):
    @extend_schema(responses={204: None}, summary="Un-share (the author)")
    def delete(self, request, digest_id: int):
        services.digest_unshare(user=request.user, digest_id=digest_id)
        return Response(status=204)


class DigestAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=SteadiedDigestOutput, summary="Acknowledge a digest shared with me")
    def post(self, request, digest_id: int):
        return Response(_digest(services.digest_acknowledge(user=request.user, digest_id=digest_id)))
