from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_functions(sender, connection, **kwargs):
    """The ledger's agreement reviews need local dates and local times
    turned into UTC in SQL: PostgreSQL has AT TIME ZONE, SQLite gets these
    functions (``backend.localtime``'s own, through promises.selectors)."""
    if connection.vendor == "sqlite":
        from .selectors import sqlite_local_at, sqlite_local_date

        connection.connection.create_function("steady_local_at", 3, sqlite_local_at, deterministic=True)
        connection.connection.create_function("steady_local_date", 2, sqlite_local_date, deterministic=True)


class PromisesConfig(AppConfig):
    name = "promises"

    def ready(self):
        connection_created.connect(_sqlite_functions, dispatch_uid="promises_sqlite_functions")
