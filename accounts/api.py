import hashlib

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from backend.errors import Invalid
from backend.fields import LocalTimeField, StrictBooleanField
from backend.throttles import ClientIpMixin, ScopedThrottle

from . import services
from .auth import TokenAuthentication
from .countries import validate_country
from .language import language_choices, request_language
from .models import User
from .security import security_event_record
from .timezones import validate_timezone


def _tz_field(**kwargs):
    return serializers.CharField(max_length=64, validators=[validate_timezone], **kwargs)


def _language_field(**kwargs):
    return serializers.ChoiceField(choices=language_choices(), required=False, allow_blank=True, **kwargs)


class UserOutput(serializers.ModelSerializer):
    quiet_hours_start = LocalTimeField(allow_null=True)
    quiet_hours_end = LocalTimeField(allow_null=True)
    country = serializers.CharField(
        source="effective_country", help_text="ISO 3166 code; from the timezone until set; empty when unknown."
    )
    language = serializers.ChoiceField(
        choices=language_choices(),
        allow_blank=True,
        help_text="One of Steady's languages; \"\" until chosen (then the browser's is used).",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "timezone",
            "role",
            "quiet_hours_start",
            "quiet_hours_end",
            "country",
            "language",
        ]
        read_only_fields = fields


class AuthOutput(serializers.Serializer):
    token = serializers.CharField()
    device_key = serializers.CharField(help_text="Send back as X-Steady-Device when logging in from this device.")
    user = UserOutput()


class SignupEmailThrottle(ClientIpMixin, SimpleRateThrottle):
    """Sign-ups per email address, from whichever client address: someone
    checking again and again whether a person has an account (the answer
    is a 400) runs out, however many addresses they send from."""

    scope = "signup_email"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # the serializer refuses it; nothing to count
        # A digest: cache keys are not a list of people's addresses.
        ident = hashlib.sha256(services.email_normalize(email).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SignupApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle, SignupEmailThrottle]
    throttle_scope = "signup"

    class SignupInput(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
        display_name = serializers.CharField(max_length=60)
        timezone = _tz_field()
        role = serializers.ChoiceField(choices=User.Role.choices, default=User.Role.PARTNER)
        language = _language_field(help_text="Defaults to the request's language (Accept-Language).")

    @extend_schema(request=SignupInput, responses={201: AuthOutput}, auth=[])
    def post(self, request):
        data = self.SignupInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["language"] = values.get("language") or request_language(request._request)
        user = services.user_signup(**values)
        token, device_key = services.token_issue(user=user)
        return Response(
            {"token": token, "device_key": device_key, "user": UserOutput(user).data}, status=status.HTTP_201_CREATED
        )


class LoginApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "login_ip"

    class LoginInput(serializers.Serializer):
        email = serializers.CharField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(request=LoginInput, responses={200: AuthOutput}, auth=[])
    def post(self, request):
        data = self.LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_authenticate(request=request._request, **data.validated_data)
        except services.TooManyAttempts:
            return Response(
                {"detail": gettext("Too many attempts. Please wait a few minutes and try again.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            # One message for a wrong email and a wrong password alike.
            raise Invalid(gettext("That email and password do not match an account."))
        token, device_key = services.token_issue(user=user)
        security_event_record(kind="login", user_id=user.pk, request=request._request, via="api")
        return Response({"token": token, "device_key": device_key, "user": UserOutput(user).data})


class LogoutApi(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.token_revoke(token=request.auth)
        security_event_record(kind="logout", user_id=request.user.pk, request=request._request, via="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    class MeInput(serializers.Serializer):
        display_name = serializers.CharField(max_length=60, required=False)
        timezone = _tz_field(required=False)
        quiet_hours_start = LocalTimeField(required=False, allow_null=True)
        quiet_hours_end = LocalTimeField(required=False, allow_null=True)
        country = serializers.CharField(
            max_length=2,
            required=False,
            allow_blank=True,
            validators=[validate_country],
            help_text='"" follows the timezone',
        )
        language = _language_field(help_text='"" follows the browser (Accept-Language)')

    @extend_schema(responses=UserOutput)
    def get(self, request):
        return Response(UserOutput(request.user).data)

    @extend_schema(request=MeInput, responses=UserOutput)
    def patch(self, request):
        data = self.MeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, fields_set=set(data.validated_data), **data.validated_data)
        return Response(UserOutput(user).data)

    class MeDeleteInput(serializers.Serializer):
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        erase_now = StrictBooleanField(
            default=False,
            help_text="Erase everything now, instead of after the 14 days in which the emailed link can "
            "restore the account.",
        )

    @extend_schema(request=MeDeleteInput, responses={204: None})
    def delete(self, request):
        """Close the account at once: signed out everywhere (every token
        and session), the couple ended, invisible to everyone. Its data is
        erased after 14 days unless restored through the link emailed to
        the account's address (a password alone cannot restore it);
        ``erase_now`` erases it at once. Wrong passwords are limited per
        person (429 once over the limit, as on the web)."""
        data = self.MeDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.account_close(user=request.user, request=request._request, **data.validated_data)
        except services.TooManyPasswords:
            return Response(
                {"detail": gettext("That's several wrong tries in a row. Please wait 15 minutes, then try again.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionOutput(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.CharField(help_text='"app" (an API token) or "web" (a browser session)')
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    ip = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField(allow_blank=True)
    current = serializers.BooleanField()


def _current(request):
    from knox.models import AuthToken

    token = request.auth if isinstance(request.auth, AuthToken) else None
    return token, getattr(request._request.session, "session_key", None)


class SessionListApi(APIView):
    @extend_schema(
        responses=inline_serializer(
            "SessionList",
            {
                "count": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": SessionOutput(many=True),
            },
        )
    )
    def get(self, request):
        from . import selectors

        token, session_key = _current(request)
        rows = selectors.sessions_for_user(user=request.user, current_token=token, current_session_key=session_key)
        return Response(
            {"count": len(rows), "next": None, "previous": None, "results": SessionOutput(rows, many=True).data}
        )

    @extend_schema(
        request=None,
        responses={204: None},
        description="Sign out every other device.",
        operation_id="me_sessions_end_others",
    )
    def delete(self, request):
        token, session_key = _current(request)
        services.sessions_end(user=request.user, keep_token=token, keep_session_key=session_key)
        security_event_record(kind="sessions_ended", user_id=request.user.pk, request=request._request, via="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionDetailApi(APIView):
    @extend_schema(request=None, responses={204: None}, operation_id="me_session_end")
    def delete(self, request, session_id: str):
        services.session_end(user=request.user, session_id=session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
