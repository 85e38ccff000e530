"""The access log is append-only in the database too: on PostgreSQL, a
trigger refuses every UPDATE and DELETE of an access event, whatever the
client (the application, a shell, a raw SQL console). TRUNCATE, an
administrator's deliberate act on the whole table, is not a row change and
is left alone (the test suite's flush uses it).

On SQLite (development and the default test run) the model's own refusals
apply; SQLite has no TRUNCATE, so a trigger there would also block the test
suite from emptying its tables."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION therapists_access_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'therapists_accessevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER therapists_access_event_append_only
    BEFORE UPDATE OR DELETE ON therapists_accessevent
    FOR EACH ROW EXECUTE FUNCTION therapists_access_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS therapists_access_event_append_only ON therapists_accessevent;
DROP FUNCTION IF EXISTS therapists_access_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("therapists", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
