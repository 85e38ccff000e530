"""Django's PostgreSQL backend, with timestamps parsed by psycopg's C loader.

Django reads every ``timestamptz`` through a Python subclass of psycopg's
loader (to give the values Django's tzinfo), and psycopg uses its C
implementation only for its own classes: so each timestamp was parsed in
Python. A list page reads 150-200 of them; in the space list that parse was
0.7 of 1.2 ms CPU for the page's rows (bench/api.py, issue #16). The loader
here returns the same values as Django's (the instant in the connection's
time zone, then Django's tzinfo) and leaves the parsing to psycopg's loader,
the C one where psycopg has it. ``tests/test_db_backend.py`` holds the two
equal."""

from functools import lru_cache

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg import adapt, adapters
from psycopg.pq import Format

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid
# psycopg's own class for the text format: the C one when psycopg's binary or
# C package is installed (as in requirements.txt), else its Python one.
PARSER = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class TimestamptzLoader(BaseTzLoader):
    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._parse = PARSER(oid, context).load

    def load(self, data):
        # As Django's BaseTzLoader.load, parsed by PARSER. psycopg already
        # gives the connection's zone, the very object Django's is when
        # both are UTC: then ``replace`` (1-2 µs, two to five times a list
        # row) would only copy the value.
        value = self._parse(data)
        return value if value.tzinfo is self.timezone else value.replace(tzinfo=self.timezone)


@lru_cache
def _adapters(template: adapt.AdaptersMap, timezone) -> adapt.AdaptersMap:
    context = adapt.AdaptersMap(template)
    # ``timezone`` on the class, as on Django's: create_cursor compares it
    # with the connection's and registers Django's own loader if they differ.
    context.register_loader("timestamptz", type("SpecificTzLoader", (TimestamptzLoader,), {"timezone": timezone}))
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if "context" in params:  # psycopg 3
            params["context"] = _adapters(params["context"], self.timezone)
        return params
