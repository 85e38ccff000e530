"""Hand-written SQL, with values read and written exactly as the ORM does.

For the one hot path that cannot afford the ORM's query compilation (the
live write path: compiling its half-dozen queries took three quarters of
its time, bench/live.py). The SQL is written by hand; the values are not
converted by hand: each goes through the model field and the database
backend's own converters and adapters, so a JSON column, an aware datetime
on SQLite or a foreign key come back as the ORM would give them."""

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


def qn(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


def columns(connection: BaseDatabaseWrapper, model: type[models.Model], alias: str) -> str:
    """Every concrete column of ``model`` under the table alias ``alias``, in
    field order (what ``instance`` expects)."""
    return ", ".join(f"{alias}.{qn(connection, f.column)}" for f in model._meta.concrete_fields)


def instance(connection: BaseDatabaseWrapper, model: type[models.Model], values) -> models.Model:
    """A model instance from the values of ``columns(model)``, as if loaded by
    the ORM (converted by the same converters; saving it later saves like any
    other instance)."""
    fields = model._meta.concrete_fields
    converted = [from_db(connection, field, value) for field, value in zip(fields, values, strict=True)]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def from_db(connection: BaseDatabaseWrapper, field: models.Field, value):
    for convert, col in _converters(connection, field):
        value = convert(value, col, connection)
    return value


def _converters(connection: BaseDatabaseWrapper, field: models.Field) -> list:
    # Looked up once per connection (each thread has its own), since the
    # lookup costs more than most conversions.
    cache = connection.__dict__.setdefault("_steady_converters", {})
    try:
        return cache[field]
    except KeyError:
        col = field.get_col(field.model._meta.db_table)
        found = [(c, col) for c in connection.ops.get_db_converters(col) + col.get_db_converters(connection)]
        cache[field] = found
        return found


def to_db(connection: BaseDatabaseWrapper, model: type[models.Model], name: str, value):
    """``value`` ready to be a parameter for the column of ``model.name``."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)
