import factory
from django.utils import timezone
from django.utils.timezone import now

from accounts.models import User
from couples.models import Couple, Membership

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("first_name")
    timezone = "Europe/Berlin"
    role = User.Role.PARTNER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class CoupleFactory(factory.django.DjangoModelFactory):
    """A couple; ``CoupleFactory(members=[alice, bob])`` pairs the two (both
    joined when the couple was made). Without members it is an empty couple
    (rows that only need a couple to point at)."""

    class Meta:
        model = Couple
        skip_postgeneration_save = True

    timezone = "UTC"
    created_at = factory.LazyFunction(now)  # (the field `timezone` hides the module here)

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            for user in extracted:
                Membership.objects.create(couple=obj, user=user, joined_at=obj.created_at)


def make_couple(a: User, b: User, *, tz: str | None = None) -> Couple:
    """``a`` and ``b`` paired, in ``a``'s time zone unless ``tz`` is given."""
    return CoupleFactory(members=[a, b], timezone=tz or a.timezone)


def _pulse():
    from checkins.models import Format

    return Format.objects.get(key="daily-pulse", couple__isnull=True)


class CheckInFactory(factory.django.DjangoModelFactory):
    """A check-in started now by ``user`` in their ``couple`` (daily pulse
    unless ``format`` is given), through ``checkin_start`` as the app does.
    ``answers={alice: {...}, bob: {...}}`` then sends each person's answers
    with ``checkin_answer`` (both sent: revealed). The instance returned is
    read again after the answers."""

    class Meta:
        model = "checkins.CheckIn"

    format = factory.LazyFunction(_pulse)

    @classmethod
    def _create(cls, model_class, *, couple, user, format, answers=None):
        from checkins import services

        checkin = services.checkin_start(couple=couple, user=user, format=format)
        for author, values in (answers or {}).items():
            services.checkin_answer(checkin=checkin, author=author, values=values)
        if answers:
            checkin.refresh_from_db()
        return checkin


class AgreementFactory(factory.django.DjangoModelFactory):
    """An agreement proposed by ``user`` through ``agreement_propose``;
    ``accepted_by=bob`` has the partner accept version 1 (active)."""

    class Meta:
        model = "agreements.Agreement"

    title = "Phones away at dinner"
    category = "other"
    details = ""
    review_every_days = None

    @classmethod
    def _create(cls, model_class, *, couple, user, accepted_by=None, **wording):
        from agreements import services

        agreement = services.agreement_propose(couple=couple, user=user, **wording)
        if accepted_by is not None:
            agreement = services.agreement_accept(agreement=agreement, user=accepted_by, version=1)
        return agreement


def address_confirm(user) -> None:
    """The person's address as allauth records it once they opened the link:
    the web log-in needs it (settings.ACCOUNT_EMAIL_VERIFICATION)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"primary": True, "verified": True})


def web_login(user):
    """Signs in through the real log-in page (allauth records the session);
    returns the signed-in browser (a test Client)."""
    from django.test import Client

    address_confirm(user)
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return browser


def make_world(couple: Couple, alice: User, bob: User, theo: User, *, checkin=None) -> dict:
    """One of each thing an API path names, visible to alice (the grant
    asks theo), keyed by the path parameter's name: for requests that must
    reach a real object rather than a 404."""
    import datetime as dt

    from agreements import services as agreements
    from checkins import services as checkins
    from checkins.models import Format
    from daily import services as daily
    from gratitude import services as gratitude
    from journal import services as journal
    from repair import services as repair
    from space import services as space

    from .test_therapists_support import make_grant

    pulse = Format.objects.get(key="daily-pulse")
    checkin = checkin or checkins.checkin_start(couple=couple, user=alice, format=pulse)
    schedule = checkins.schedule_propose(
        couple=couple, user=bob, format=pulse, weekdays=[0], time=dt.time(20, 0), timezone_name=None
    )
    agreement = agreements.agreement_propose(couple=couple, user=bob, title="Phones away at dinner", category="other")
    note = gratitude.note_send(couple=couple, author=bob, text="Thank you")
    entry = journal.entry_create(author=alice, kind="entry", text="A calm day")
    period = space.space_take(couple=couple, user=alice, reconnect_by=timezone.now() + dt.timedelta(hours=2))
    rules = repair.timeout_rules_propose(couple=couple, user=bob, signal="Pause", max_minutes=60)
    repair.timeout_rules_accept(rules=rules, user=alice, version=1)
    timeout = repair.timeout_take(couple=couple, user=bob, reconnect_by=timezone.now() + dt.timedelta(minutes=30))
    grant = make_grant(couple, bob, theo)
    from repair import conversation

    talk = conversation.repair_start(couple=couple, user=bob, timeout=timeout)
    question = daily.daily_question_for(couple=couple)
    return {
        **reassurance_world(couple, alice, bob),
        "repair_id": talk.pk,
        "step_key": "felt",
        "question_id": question.pk,
        "rules_id": rules.pk,
        "timeout_id": timeout.pk,
        "checkin_id": checkin.pk,
        "schedule_id": schedule.pk,
        "agreement_id": agreement.pk,
        "note_id": note.pk,
        "entry_id": entry.pk,
        "period_id": period.pk,
        "grant_id": grant.pk,
    }


def reassurance_world(couple, alice, bob) -> dict:
    """The reassurance objects a path names: the couple's ritual (proposed by
    bob, for alice to accept), alice's phrase, an open ritual time alice wrote
    in (not revealed), and a digest bob shares with alice."""
    import datetime as dt

    from reassurance import services as reassurance
    from reassurance.models import Occurrence

    ritual = reassurance.ritual_propose(user=bob, data={"weekdays": [0], "time": dt.time(20), "timezone": "UTC"})
    phrase = reassurance.phrase_add(user=alice, text="I'm not going anywhere")
    now = timezone.now()
    occurrence = Occurrence.objects.create(
        couple=couple, ritual=ritual, at=now - dt.timedelta(minutes=5), closes_at=now + dt.timedelta(hours=12)
    )
    reassurance.message_write(user=alice, occurrence_id=occurrence.pk, text="Hidden until Bob writes")
    reassurance.steadied_record(user=bob, what="A walk")
    digest = reassurance.digest_share(user=bob, month=now.astimezone(dt.UTC).strftime("%Y-%m"))
    return {
        "ritual_id": ritual.pk,
        "phrase_id": phrase.pk,
        "occurrence_id": occurrence.pk,
        "digest_id": digest.pk,
    }
