"""backend.forms.domain_error_to_form: a service's refusal on the page's form."""

from django import forms

from backend.errors import Conflict, Invalid
from backend.forms import domain_error_to_form


class WhenForm(forms.Form):
    when = forms.CharField()
    note = forms.CharField(required=False)


def _bound() -> WhenForm:
    form = WhenForm({"when": "soon"})
    assert form.is_valid()
    return form


def test_a_field_error_lands_on_its_field():
    form = _bound()
    domain_error_to_form(form, Invalid("Keep it short.", field="note"))
    assert form.errors == {"note": ["Keep it short."]}


def test_a_field_the_form_lacks_and_no_field_land_on_the_form():
    form = _bound()
    domain_error_to_form(form, Invalid("No such thing.", field="elsewhere"))
    domain_error_to_form(form, Conflict("Changed meanwhile."))
    assert form.non_field_errors() == ["No such thing.", "Changed meanwhile."]


def test_several_errors_each_on_its_field():
    form = _bound()
    domain_error_to_form(form, Invalid(errors={"note": ["Too long.", "Not text."], "other": "Odd."}))
    assert form.errors["note"] == ["Too long.", "Not text."]
    assert form.non_field_errors() == ["Odd."]


def test_a_renamed_field_lands_where_the_form_collects_it():
    form = _bound()
    domain_error_to_form(form, Invalid("Too far ahead.", field="reconnect_by"), rename={"reconnect_by": "when"})
    assert form.errors == {"when": ["Too far ahead."]}
