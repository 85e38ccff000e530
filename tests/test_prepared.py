"""Lists prepared once per shape and process (backend.prepared): the same
answers as the ORM's own paging, for everyone who asks, through the same
statement; prepared on the server with the pool; refused for a selector
whose SQL would not carry its values as parameters."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Window
from django.utils import timezone

from backend import prepared
from backend.prepared import TOTAL, BoundList, PreparedList, PreparedRows, PrepareError
from tests.conftest import client_for
from tests.test_list_queries import _entries, _notifications

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/checkins/",
    *(f"/api/v1/checkins/?status={s}" for s in ("upcoming", "open", "completed", "closed")),
    "/api/v1/gratitude/",
    "/api/v1/gratitude/?box=sent",
    "/api/v1/space/",
    "/api/v1/space/?status=open",
    "/api/v1/space/?status=closed",
    "/api/v1/agreements/",
    "/api/v1/agreements/?status=active",
    "/api/v1/agreements/?status=proposed",
    "/api/v1/journal/",
    "/api/v1/journal/?kind=trigger",
    "/api/v1/journal/shared/",
    "/api/v1/notifications/",
]


@pytest.fixture
def _keystore(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK_DEV_FALLBACK = True


@pytest.fixture
def history(_keystore, couple, alice, bob, mallory_couple, mallory, mike):
    from therapists.demo import history_bulk_create

    now = timezone.now()
    for c, a, b in ((couple, alice, bob), (mallory_couple, mallory, mike)):
        history_bulk_create(couple=c, a=a, b=b, end=now + dt.timedelta(days=2), days=24)
        _entries(a, 9)
        _entries(b, 4, share_with=a)
        _notifications(a, 17)


def _orm_page(self, offset, limit):
    """The paging the lists had before: the selector's queryset, sliced."""
    return list(self.queryset().annotate(**{TOTAL: Window(Count("*"))})[offset : offset + limit])


def _pages(client, path: str) -> list:
    sep = "&" if "?" in path else "?"
    out = []
    for page in (1, 2, 3, 9):
        response = client.get(f"{path}{sep}page_size=7&page={page}")
        out.append((response.status_code, response.json()))
    return out


@pytest.mark.parametrize("path", LISTS)
def test_the_same_pages_as_the_orms(history, alice, bob, mallory, monkeypatch, path):
    clients = [client_for(u) for u in (alice, bob, mallory)]
    fast = [_pages(c, path) for c in clients]
    monkeypatch.setattr(BoundList, "page", _orm_page)
    slow = [_pages(c, path) for c in clients]
    assert fast == slow
    if "?" not in path:  # a filter may match nothing in this history
        assert any(body["results"] for person in fast for status, body in person if status == 200)


def test_each_person_gets_their_own_rows_from_one_statement(history, couple, alice, mallory):
    from gratitude.models import Note

    for _ in range(2):  # in turns, the same compiled statement
        for user, theirs in ((alice, couple.pk), (mallory, None)):
            ids = [row["id"] for row in client_for(user).get("/api/v1/gratitude/?box=sent").json()["results"]]
            assert ids
            couples = set(Note.objects.filter(pk__in=ids).values_list("couple_id", flat=True))
            assert (couples == {couple.pk}) == (theirs is not None)


def test_prepared_on_the_server_with_the_pool(history, alice):
    if not connection.settings_dict["OPTIONS"].get("pool"):
        pytest.skip("no connection pool: statements are not prepared on the server")
    client_for(alice).get("/api/v1/checkins/")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('FROM "checkins_checkin"' in s and "LIMIT $" in s for s in statements)


def test_counted_and_logged_with_its_values(history, alice):
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    client.get("/api/v1/checkins/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/checkins/?page_size=5")
    page = [q["sql"] for q in queries.captured_queries if '"checkins_checkin"' in (q["sql"] or "")]
    assert len(page) == 1 and page[0].endswith("LIMIT 5 OFFSET 0")
    assert f'"user_id" = {alice.pk}' in page[0]


def test_without_the_pool_the_same_sql_runs_unprepared(history, alice, monkeypatch):
    monkeypatch.setattr(prepared, "_server_prepares", lambda: False)
    body = client_for(alice).get("/api/v1/checkins/?page_size=5").json()
    assert body["count"] > 5 and len(body["results"]) == 5


def test_a_selector_without_its_user_is_refused():
    from reminders.models import Notification

    listing = PreparedList(lambda user: Notification.objects.order_by("id"))
    with pytest.raises(PrepareError, match="user"):
        listing.compiled({})


def test_a_value_written_into_the_sql_is_refused():
    from reminders.models import Notification

    listing = PreparedList(lambda user: Notification.objects.extra(where=[f"user_id = {user.pk}"]).filter(user=user))
    with pytest.raises(PrepareError, match="written into the SQL"):
        listing.compiled({})


def test_a_time_made_from_now_is_refused():
    from reminders.models import Notification

    def week(user, now):
        return Notification.objects.filter(user=user, created_at__gte=now - dt.timedelta(days=7))

    with pytest.raises(PrepareError, match="other than now"):
        PreparedList(week, with_now=True).compiled({})


def test_a_selector_reading_the_users_fields_is_refused():
    from reminders.models import Notification

    with pytest.raises(Exception, match="does not exist"):
        PreparedList(lambda user: Notification.objects.filter(user=user, kind=user.timezone)).compiled({})


def test_instances_are_made_by_from_db_when_a_receiver_listens(history, alice):
    from django.db.models.signals import post_init

    from reminders.models import Notification

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Notification)
    try:
        listing = PreparedList(lambda user: Notification.objects.filter(user=user).order_by("-id"))
        rows = listing.bind(user=alice).page(0, 5)
    finally:
        post_init.disconnect(receiver, sender=Notification)
    assert [r.pk for r in rows] == seen and len(seen) == 5


# --- short reads (PreparedRows: the home page's cards) ------------------------------------


def test_short_reads_answer_each_person_and_couple_from_one_statement(history, couple, mallory_couple, alice, mallory):
    from couples.models import Couple
    from gratitude.models import Note

    def sent_since(*, user, couple, day):
        return Note.objects.filter(couple=couple, author=user, created_at__date__gte=day).order_by("-id")[:3]

    reads = PreparedRows(sent_since, objects={"user": None, "couple": Couple}, day=True)
    day = (timezone.now() - dt.timedelta(days=10)).date()
    for _ in range(2):  # in turns, the same compiled statement
        for user, theirs in ((alice, couple), (mallory, mallory_couple)):
            assert reads.rows(user=user, couple=theirs, day=day) == list(sent_since(user=user, couple=theirs, day=day))
            assert reads.rows(user=user, couple=theirs, day=day)
    assert len(reads._compiled) == 1
    assert reads.rows(user=alice, couple=mallory_couple, day=day) == []  # her notes are not in their couple
    assert reads.first(user=alice, couple=couple, day=day + dt.timedelta(days=400)) is None


def test_a_short_read_must_carry_every_value():
    from couples.models import Couple
    from reminders.models import Notification

    reads = PreparedRows(
        lambda *, user, couple: Notification.objects.filter(user=user), objects={"user": None, "couple": Couple}
    )
    with pytest.raises(PrepareError, match="couple is not a parameter"):
        reads.compiled({})
    with pytest.raises(TypeError, match="user"):
        PreparedRows(lambda *, user: Notification.objects.filter(user=user)).rows()


def test_a_short_read_reading_its_couples_fields_is_refused():
    from couples.models import Couple
    from reminders.models import Notification

    reads = PreparedRows(
        lambda *, user, couple: Notification.objects.filter(user=user, kind=couple.timezone),
        objects={"user": None, "couple": Couple},
    )
    with pytest.raises(Exception, match="does not exist"):
        reads.compiled({})


def test_a_stand_in_in_its_columns_int_type_is_filled_in(history, alice, bob):
    """A BigIntegerField's value reaches psycopg as Int8, not int: still the
    stand-in, and filled in (the journal list's key subquery)."""
    from journal.models import JournalKey

    reads = PreparedRows(lambda *, user: JournalKey.objects.filter(user_id=user.pk).values("user_id"))
    from django.db import connection

    # psycopg's Int8 on PostgreSQL; SQLite's backend passes a plain int.
    expected = "Int8" if connection.vendor == "postgresql" else "int"
    assert [type(p).__name__ for p in reads.compiled({}).params] == [expected]
    assert reads.rows(user=alice) == [{"user_id": alice.pk}] and reads.rows(user=bob) == [{"user_id": bob.pk}]


@pytest.mark.django_db(transaction=True)
def test_a_locking_short_read_needs_a_transaction_on_every_run(couple, alice):
    """``access_checkin(lock=True)`` runs prepared: compiled once inside a
    transaction, it must still refuse to run outside one (the lock would end
    with the statement), as Django's compiler refuses on every query."""
    from django.db import transaction
    from django.db.transaction import TransactionManagementError
    from django.http import Http404

    from checkins import services
    from checkins.models import Format
    from checkins.selectors import access_checkin

    fmt = Format.objects.get(key="daily-pulse", couple__isnull=True)
    checkin = services.checkin_start(couple=couple, user=alice, format=fmt)
    with transaction.atomic():
        assert access_checkin(alice, checkin.pk, lock=True) == checkin
    with pytest.raises(TransactionManagementError):
        access_checkin(alice, checkin.pk, lock=True)
    assert access_checkin(alice, checkin.pk) == checkin  # no lock: no transaction needed
    with transaction.atomic(), pytest.raises(Http404):
        access_checkin(alice, checkin.pk, lock=True, with_live=True)  # no live session yet


def _plan_nodes(node: dict, *, in_subplan: bool = False):
    """Each node of an EXPLAIN (FORMAT JSON) plan, with whether it is part
    of an InitPlan or SubPlan (the page's count, a wrapped key)."""
    inner = in_subplan or node.get("Parent Relationship") in ("InitPlan", "SubPlan")
    yield node, inner
    for child in node.get("Plans", []):
        yield from _plan_nodes(child, in_subplan=inner)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "path, table",
    [("/api/v1/journal/", "journal_entry"), ("/api/v1/notifications/", "reminders_notification")],
)
def test_a_page_builds_its_own_rows_not_every_row_of_the_list(_keystore, couple, alice, path, table):
    """The count rides along as a subquery, counted from an index, not
    ``COUNT(*) OVER ()``, which built every one of the person's rows (with
    their joins and sealed columns) before keeping a page: at 3,000 journal
    entries a page took 5.7 ms in PostgreSQL, and grew with the table."""
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    _entries(alice, 240)
    _notifications(alice, 240)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")  # noqa: S608 - a fixed name; the planner's statistics, as in service
    client = client_for(alice)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"{path}?page_size=10&page=2").json()
    assert body["count"] == 240 and len(body["results"]) == 10
    (page,) = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"] and "LIMIT 10" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + page)
        plan = cursor.fetchone()[0][0]["Plan"]
    nodes = list(_plan_nodes(plan))
    assert not [n for n, _ in nodes if n["Node Type"] == "WindowAgg"]
    scans = [n for n, inner in nodes if not inner and n.get("Relation Name") == table]
    assert scans and all(n["Actual Rows"] <= 30 for n in scans), [(n["Node Type"], n["Actual Rows"]) for n in scans]
