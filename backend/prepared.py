"""List reads built and compiled by the ORM once, then run as prepared statements.

A list endpoint's page is one query, but building that queryset (filters,
joins, annotations) and compiling it to SQL cost more CPU than PostgreSQL
spent answering it (bench/api.py, issue #16). Its SQL is the same on every
request; only the values differ: who asks, "now", the page. So a
``PreparedList`` builds the queryset once per *shape* (the selector's
choices, such as a status filter) and process, with stand-in values, and
keeps the compiled SQL; each request then only fills in its values.

- The queryset comes from the app's own selector, unchanged: the same
  permission checks (the caller's current couple by subquery, the author's
  own rows), the same columns, order and annotations. Nothing is written
  here; writes go through the ORM (issue #17).
- The page's count rides along (``count_of``: a scalar subquery, counted
  once per statement from the caller's rows alone), and the page is
  ``LIMIT``/``OFFSET`` parameters, so one statement serves every page.
- With the in-process pool (``DATABASES["default"]["OPTIONS"]["pool"]``)
  the statement is prepared on the server the first time each pooled
  connection runs it (psycopg, server-side binding), so PostgreSQL parses
  and plans it once per connection too. Without the pool (PgBouncer in
  transaction mode, where a prepared statement would not follow the client)
  and on SQLite, the cached SQL runs through Django's own cursor.
- Rows become what the queryset would have given (dicts for ``values()``,
  model instances otherwise, with their ``select_related`` objects and
  annotations), through Django's own converters.
- Queries go through Django's cursor wrapper: counted by
  ``CaptureQueriesContext``, errors wrapped as Django's.

A stand-in value must reach the SQL as a parameter; compiling checks that
each one does (and is not written into the SQL text), so a selector that
changed shape with its values would fail loudly, not answer for someone
else. ``tests/test_prepared.py`` holds prepared pages equal to the ORM's.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
import threading
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import IntegerField, Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.db.models.query_utils import DeferredAttribute

TOTAL = "pagination_total"

# Stand-ins: values no request has, each recognisable among the parameters.
_USER_PK = -7_304_915_286_113
_NOW = dt.datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=dt.UTC)
# PreparedRows' other objects' keys (a couple's), and a local day.
_OTHER_PKS = (-7_304_915_286_127, -7_304_915_286_131, -7_304_915_286_137)
_DAY = dt.date(1902, 3, 4)


# A column's class attribute that does nothing on assignment but store the
# value in the instance's __dict__ (a foreign key's also forgets a cached
# related object, which a new instance does not have).
_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


def count_of(qs: QuerySet) -> RawSQL:
    """The number of rows ``qs`` has, as an expression a page's statement
    selects beside its rows: ``(SELECT COUNT(*) FROM (<qs's rows' keys>))``.

    It replaces ``COUNT(*) OVER ()``, which made PostgreSQL build every one
    of the caller's rows, with their joins and columns, before it could
    keep the 50 of a page: the page's time grew with the table (the journal
    list took 5.7 ms at 3,000 entries, 1.2 ms this way). The subquery has
    no ordering, no ``select_related`` and no annotation, so PostgreSQL
    counts from an index and drops the outer joins nothing reads; being
    uncorrelated it runs once per statement (an InitPlan), and the rows are
    read only as far as ``LIMIT``. Filters stay, joins and all: it counts
    exactly the rows the page is taken from."""
    keys = qs.order_by().values("pk")
    sql, params = keys.query.get_compiler(qs.db).as_sql()
    # The SQL is the ORM's own compilation of a queryset; its values stay
    # parameters (``params``), never text.
    counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608
    return RawSQL(counted, params, output_field=IntegerField())  # noqa: S611


class PrepareError(RuntimeError):
    """A selector whose SQL depends on its values cannot be prepared."""


def _stand_in_user(model):
    """A user with nothing but the stand-in key: every other field is
    deferred, so a selector that read one (a role, a time zone) would go to
    the database for it, find no such user and fail to compile, rather than
    bake the stand-in's value into everyone's SQL."""
    return model.from_db("default", [model._meta.pk.attname], [_USER_PK])


class _Compiled:
    """One shape's SQL, its parameters with the stand-ins' places, and how
    to turn its rows back into what the queryset gives."""

    def __init__(self, qs: QuerySet, *, slots: dict, paged: bool = True):
        if qs._known_related_objects or qs._prefetch_related_lookups:
            raise PrepareError("prefetch_related and related managers are not prepared")
        if qs._iterable_class not in (ModelIterable, ValuesIterable):
            raise PrepareError(f"rows of {qs._iterable_class.__name__} are not prepared")
        if paged:
            qs = qs.annotate(**{TOTAL: count_of(qs)})
        query = qs.query
        if (paged and (query.is_sliced or query.select_for_update)) or query.combinator or query.distinct:
            raise PrepareError("sliced, combined, distinct or locking querysets are not prepared")
        # A short read may lock its rows (SELECT ... FOR UPDATE): only inside
        # a transaction, checked on every run as Django checks it on each
        # compile (outside one the lock would end with the statement).
        self.locks = bool(query.select_for_update)
        compiler = query.get_compiler(qs.db)
        sql, params = compiler.as_sql()
        self.sql = f"{sql} LIMIT %s OFFSET %s" if paged else sql
        self.params = list(params)
        self.slots = []
        for name, marker in slots.items():
            # A key may come as a plain int or in the type its column asks
            # for (psycopg's Int8 for a BigIntegerField): both are the stand-in.
            places = [i for i, p in enumerate(self.params) if _is_stand_in(p, marker)]
            kind = None
            if not places and _adapted(marker) is not marker:
                # SQLite's backend hands a time or a day over as text
                # (``adapt_datetimefield_value``): the stand-in in that form,
                # and each request's value adapted the same way.
                form = _adapted(marker)
                places = [i for i, p in enumerate(self.params) if type(p) is type(form) and p == form]
                kind = _adapted
            # Every list is someone's: never prepared without them; and a
            # short read's every value must reach its SQL.
            if not places and (name == "user" or not paged):
                raise PrepareError(f"{name} is not a parameter of the query")
            self.slots += [(i, name, kind or type(self.params[i])) for i in places]
        written = [str(_USER_PK), *(str(pk) for pk in _OTHER_PKS), _NOW.isoformat()[:19], _DAY.isoformat()]
        if any(value in sql for value in written):
            raise PrepareError("a stand-in value is written into the SQL")
        if any(_a_time_from_now(p) for p in self.params):
            # A time made from "now" (a week before it) would stay the
            # stand-in's for ever: only "now" itself (and a day given as
            # such) can be filled in.
            raise PrepareError("a time other than now is a parameter of the query")
        self.compiler = compiler
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        if paged:
            # The total is a COUNT(*): an int from either database already.
            # Its converter (int()) ran on every row for the one value read.
            self.converters.pop(compiler.annotation_col_map[TOTAL], None)
        self.values = qs._iterable_class is ValuesIterable
        self.db = qs.db
        if self.values:
            self.names = (
                list(query.selected)
                if query.selected
                else [
                    *query.extra_select,
                    *query.values_select,
                    *query.annotation_select,
                ]
            )
        else:
            klass_info, select = compiler.klass_info, compiler.select
            self.model = klass_info["model"]
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            self.model_cols = (start, end)
            self.init_list = [f[0].target.attname for f in select[start:end]]
            self.annotation_col_map = dict(compiler.annotation_col_map or {})
            self.klass_info = klass_info
            self.make = _instance_maker(self.model, self.init_list, self.db)

    def run(self, values: dict, extra: tuple = ()) -> list:
        """The statement with this request's ``values`` in the stand-ins'
        places (and ``extra`` parameters after them), as rows."""
        if self.locks and connection.get_autocommit():
            from django.db.transaction import TransactionManagementError

            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(self.params)
        for i, name, kind in self.slots:
            value = values[name]
            params[i] = value if value is None or type(value) is kind else kind(value)
        params += extra
        with _cursor() as cursor:
            cursor.execute(self.sql, params)
            raw = cursor.fetchall()
        return self.rows(raw)

    @functools.cached_property
    def populators(self) -> list:
        # The select_related objects' populators, built once per statement
        # (they keep only where each object's columns are; every row is
        # populated afresh).
        return get_related_populators(self.klass_info, self.compiler.select, self.db)

    def rows(self, raw: list) -> list:
        if self.converters:
            raw = self.compiler.apply_converters(raw, self.converters)
        if self.values:
            names = self.names
            return [dict(zip(names, row, strict=True)) for row in raw]
        db, model, init_list = self.db, self.model, self.init_list
        start, end = self.model_cols
        populators = self.populators
        annotations = self.annotation_col_map.items()
        make = self.make or (lambda values: model.from_db(db, init_list, values))
        out = []
        for row in raw:
            obj = make(row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr, col in annotations:
                setattr(obj, attr, row[col])
            out.append(obj)
        return out


def _adapted(value):
    """A time or a day as the database backend passes it (itself on
    PostgreSQL, text on SQLite); anything else as it is."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


# On SQLite a time reaches the parameters as text ("1901-01-27 04:05:06.789012"):
# one in the stand-in's years was made from it.
_STAND_IN_TIME_TEXT = re.compile(r"^190[0-2]-\d\d-\d\d")


def _a_time_from_now(param) -> bool:
    """A time or day among the parameters other than the stand-ins
    themselves (in either form): one computed from "now", which would stay
    the stand-in's for ever."""
    if isinstance(param, dt.date):
        return param != _NOW and (type(param) is not dt.date or param != _DAY)
    if isinstance(param, str) and _STAND_IN_TIME_TEXT.match(param):
        return param not in (_adapted(_NOW), _adapted(_DAY))
    return False


def _is_stand_in(param, marker) -> bool:
    if isinstance(marker, int):
        return isinstance(param, int) and not isinstance(param, bool) and param == marker
    return type(param) is type(marker) and param == marker


def _instance_maker(model, init_list: list[str], db: str):
    """What ``model.from_db(db, init_list, values)`` makes, made directly:
    the instance's attributes set as ``Model.__init__`` would set them,
    without its per-field ``setattr`` and signals (most of a page's cost for
    50 rows). Only for a model where that is all ``__init__`` would do: its
    own ``__init__`` and ``from_db``, no ``pre_init``/``post_init``
    receivers, and every column a plain attribute (no descriptor that does
    something on assignment, such as a file field's). None otherwise."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return None
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return None
    if any(type(inspect.getattr_static(model, name, None)) not in _PLAIN for name in init_list):
        return None
    new = model.__new__

    def make(values):
        obj = new(model)
        state = ModelState()
        state.adding, state.db = False, db
        obj.__dict__["_state"] = state
        obj.__dict__.update(zip(init_list, values, strict=True))
        return obj

    return make


def _server_prepares() -> bool:
    return connection.vendor == "postgresql" and bool(connection.settings_dict["OPTIONS"].get("pool"))


def _cursor():
    """Django's cursor, except that with the pool it binds on the server and
    prepares every statement it runs (once per connection: psycopg keeps
    them, by SQL text, for the connection's life)."""
    if not _server_prepares():
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    from backend.postgresql.base import TIMESTAMPTZ_OID

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        cursor = _preparing_cursor_class()(raw)
        if connection.timezone != raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
            register_tzloader(connection.timezone, cursor)  # as Django's create_cursor
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return _debug_wrapper_class()(cursor, connection)
    return connection.make_cursor(cursor)


@functools.cache
def _debug_wrapper_class():
    """Django's debug wrapper (DEBUG, ``CaptureQueriesContext``), logging the
    statement with its values: a prepared statement's run leaves psycopg no
    query text for Django to read back."""
    from django.db.backends.postgresql.base import CursorDebugWrapper
    from django.db.backends.utils import CursorWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):
        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
                return CursorWrapper.execute(self, sql, params)

    return PreparedDebugWrapper


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


class _PerShape:
    """Compiled once per shape and process: the first request of a shape
    compiles it (two at once may both compile; one result is kept)."""

    def __init__(self):
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, shape: dict) -> _Compiled:
        raise NotImplementedError

    def compiled(self, shape: dict) -> _Compiled:
        key = tuple(sorted(shape.items()))
        found = self._compiled.get(key)
        if found is None:
            found = self._compile(shape)
            with self._lock:
                found = self._compiled.setdefault(key, found)
        return found


class PreparedList(_PerShape):
    """A list selector, prepared. ``build(user=..., now=..., **shape)``
    returns the selector's queryset; ``user`` and ``now`` are the values
    that change between requests, ``shape`` the choices that change the SQL
    (a status filter, a box). ``bind`` gives what a paginator pages
    (``backend.pagination.CountingPaginator``)."""

    def __init__(self, build: Callable[..., QuerySet], *, user_model=None, with_now: bool = False):
        super().__init__()
        self.build = build
        self.with_now = with_now
        self.user_model = user_model

    def _compile(self, shape: dict) -> _Compiled:
        kwargs = {"user": _stand_in_user(self.user_model or get_user_model()), **shape}
        slots = {"user": _USER_PK}
        if self.with_now:
            kwargs["now"], slots["now"] = _NOW, _NOW
        return _Compiled(self.build(**kwargs), slots=slots)

    def bind(self, *, user, now: dt.datetime | None = None, **shape) -> BoundList:
        values = {"user": user.pk, "now": now}
        kwargs = {"user": user, **shape}
        if self.with_now:
            kwargs["now"] = now
        return BoundList(self, shape, values, lambda: self.build(**kwargs))


class BoundList:
    """One request's list: pages through the prepared statement; anything
    else a paginator asks (the count of an empty page, a slice) goes to the
    selector's own queryset."""

    ordered = True

    def __init__(self, prepared: PreparedList, shape: dict, values: dict, queryset: Callable[[], QuerySet]):
        self.prepared, self.shape, self.values, self._queryset = prepared, shape, values, queryset

    def queryset(self) -> QuerySet:
        return self._queryset()

    def page(self, offset: int, limit: int) -> list:
        """Up to ``limit`` rows from ``offset``, each with its ``TOTAL``."""
        return self.prepared.compiled(self.shape).run(self.values, (limit, offset))

    def count(self) -> int:
        return self.queryset().count()

    def __getitem__(self, key):
        return self.queryset()[key]

    def __len__(self) -> int:
        return self.count()


class PreparedRows(_PerShape):
    """A short read (a few rows, one row, a count as a row), prepared like a
    list: for a page that makes several, such as the home page's cards
    (``home/views.py``). ``build(**values, **shape)`` returns the selector's
    queryset, which may be sliced (``[:1]`` for "the first"); the values
    are the stand-ins named here, filled in on every run:

    - ``objects``: model instances by name (default: ``user``, the user
      model), each given to ``build`` as an instance holding nothing but a
      stand-in key, so that reading any other field fails to compile (a
      selector must pass the object to the query, not one of its fields);
    - ``now``: the current time; ``day``: a local date.

    Every value must reach the SQL as a parameter, or compiling fails. Any
    other keyword is ``shape``: a choice that changes the SQL (compiled once
    per distinct value). ``rows(user=..., couple=..., now=..., **shape)``
    returns what ``list(queryset)`` would."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        objects: dict[str, type[Model] | None] | None = None,
        now: bool = False,
        day: bool = False,
    ):
        super().__init__()
        self.build = build
        self.objects = dict(objects) if objects is not None else {"user": None}
        if len(self.objects) > 1 + len(_OTHER_PKS):
            raise PrepareError("too many objects to stand in for")
        self.now, self.day = now, day

    def _compile(self, shape: dict) -> _Compiled:
        kwargs, slots = dict(shape), {}
        others = iter(_OTHER_PKS)
        for name, model in self.objects.items():
            model = model or get_user_model()
            marker = _USER_PK if name == "user" else next(others)
            kwargs[name] = model.from_db("default", [model._meta.pk.attname], [marker])
            slots[name] = marker
        if self.now:
            kwargs["now"] = slots["now"] = _NOW
        if self.day:
            kwargs["day"] = slots["day"] = _DAY
        return _Compiled(self.build(**kwargs), slots=slots, paged=False)

    def rows(self, **kwargs) -> list:
        values, shape = {}, {}
        for name, value in kwargs.items():
            if name in self.objects:
                values[name] = value.pk if isinstance(value, Model) else value  # an object or its key
            elif (name == "now" and self.now) or (name == "day" and self.day):
                values[name] = value
            else:
                shape[name] = value
        missing = set(self.objects) | {n for n, on in (("now", self.now), ("day", self.day)) if on}
        missing -= set(values)
        if missing:
            raise TypeError(f"rows() needs {', '.join(sorted(missing))}")
        return self.compiled(shape).run(values)

    def first(self, **kwargs):
        found = self.rows(**kwargs)
        return found[0] if found else None
