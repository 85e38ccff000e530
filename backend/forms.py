"""Helpers for the web pages' forms, shared by every app."""

from collections.abc import Mapping

from django import forms

from .errors import DomainError


def domain_error_to_form(form: forms.Form, exc: DomainError, *, rename: Mapping[str, str] | None = None) -> None:
    """Shows a service's refusal on the form that asked for it, as the API
    shows it in its 400: each field's messages on that field, and what
    belongs to no field of this form (or to none at all) on the form as a
    whole. ``rename`` maps a service's field name to the form field that
    collects it (space's ``reconnect_by`` is chosen in ``when``)."""
    rename = rename or {}

    def target(field: str | None) -> str | None:
        field = rename.get(field, field) if field else field
        return field if field in form.fields else None

    if exc.errors:
        for field, msgs in exc.errors.items():
            for msg in msgs if isinstance(msgs, list) else [msgs]:
                form.add_error(target(field), str(msg))
        return
    form.add_error(target(exc.field), exc.message)
