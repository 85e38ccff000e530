import datetime as dt
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone

from .countries import country_from_timezone, validate_country
from .language import language_choices
from .timezones import validate_timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("display_name", "Admin")
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        PARTNER = "partner", "Partner"
        THERAPIST = "therapist", "Therapist"

    email = models.EmailField(max_length=254, unique=True)
    display_name = models.CharField(max_length=60)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTNER)
    # Quiet hours are wall-clock times in the user's own timezone; a window
    # may cross midnight (22:00-07:30). Reminders due inside wait until it ends.
    quiet_hours_start = models.TimeField(null=True, blank=True, default=dt.time(22, 0))
    quiet_hours_end = models.TimeField(null=True, blank=True, default=dt.time(7, 30))
    # ISO 3166 code for the safety resources (issue #23); empty means "from
    # the timezone" (``effective_country``).
    country = models.CharField(max_length=2, blank=True, default="", validators=[validate_country])
    # The language this person reads Steady in (one of settings.LANGUAGES),
    # for their pages, emails and pushes (accounts.language); empty: not
    # chosen yet, the browser's is used. Set at sign-up from the request.
    language = models.CharField(max_length=8, blank=True, default="", choices=language_choices)
    # The quiet pause of couple features, for this person alone (issue #23,
    # docs/safety.md). It lives here, below reminders, so the reminders
    # dispatch can skip the paused person without importing the safety app.
    # Never serialized for anyone but its owner, never exported.
    couple_paused_at = models.DateTimeField(null=True, blank=True)
    # When the person's own home page next asks the safety question, if
    # they chose to be asked (safety.SafetyPreference); kept on the row the
    # page already has, so the card costs no query.
    safety_ask_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)
    # The optional app lock on the web (accounts.applock, docs/applock.md):
    # after this many minutes without a request, this person's web sessions
    # ask again before showing anything. Empty: no lock. The PIN is stored
    # only as a hash (Django's password hashers); empty: no PIN.
    app_lock_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    app_lock_pin = models.CharField(max_length=128, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(role__in=["partner", "therapist"]), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def effective_country(self) -> str:
        return self.country or country_from_timezone(self.timezone)

    @property
    def couple_paused(self) -> bool:
        return self.couple_paused_at is not None

    @property
    def is_therapist(self) -> bool:
        return self.role == self.Role.THERAPIST

    def get_short_name(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        return self.display_name


class SecurityEvent(models.Model):
    """An audit trail of security events (log-ins, failures, password
    changes, pairing, leaving, erasure). Append-only, and never private
    text: only what happened, to which account id, when and from where."""

    class Kind(models.TextChoices):
        LOGIN = "login"
        LOGIN_FAILED = "login_failed"
        LOGOUT = "logout"
        PASSWORD_CHANGED = "password_changed"
        PAIRED = "paired"
        LEFT_COUPLE = "left_couple"
        SESSIONS_ENDED = "sessions_ended"
        ACCOUNT_CLOSED = "account_closed"
        ACCOUNT_RESTORED = "account_restored"
        ACCOUNT_DELETED = "account_deleted"

    # A plain id, not a foreign key: the trail outlives an erased account
    # without holding anything of it but the number.
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(default=dj_timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=8, blank=True)  # "api" or "web"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Security events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Security events are append-only.")


class AccountClosure(models.Model):
    """An account its owner closed, waiting to be erased (issue #23).

    While the row exists the account is closed: ``User.is_active`` is off,
    its password is unusable (the hash waits here, put back on restore), so
    a log-in with it fails exactly as a wrong password does, and every
    session and token has ended. ``accounts.tasks.closed_accounts_erase``
    erases it once ``erase_after`` has passed; until then the link emailed to
    the account's address (signed, carrying ``restore_nonce``, single-use)
    restores it (``accounts.services.account_restore``)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="closure")
    closed_at = models.DateTimeField(default=dj_timezone.now)
    erase_after = models.DateTimeField(db_index=True)
    # The password hash the account had; never a password.
    password = models.CharField(max_length=128)
    # The restore link's secret part: a new closure draws a new one, and a
    # restore deletes the row, so each link works once.
    restore_nonce = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Closure of account {self.user_id}"
