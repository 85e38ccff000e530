from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_functions(sender, connection, **kwargs):
    """The ledger's agreement-review due time needs a local time turned into
    UTC in SQL: PostgreSQL has AT TIME ZONE, SQLite gets this function."""
    if connection.vendor == "sqlite":
        from .selectors import sqlite_local_at

        connection.connection.create_function("steady_local_at", 3, sqlite_local_at, deterministic=True)


class PromisesConfig(AppConfig):
    name = "promises"

    def ready(self):
        connection_created.connect(_sqlite_functions, dispatch_uid="promises_sqlite_functions")
