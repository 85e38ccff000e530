from django.db import migrations


class Migration(migrations.Migration):
    """An index on knox's token expiry, for the sweep of expired tokens
    (accounts.services.tokens_expired_delete): it then reads only the
    expired rows. knox's model is a third-party app's, so the index is made
    here, in SQL both PostgreSQL and SQLite accept. The table is small (a
    few rows per person), so a plain CREATE INDEX is brief."""

    dependencies = [
        ("accounts", "0002_security_event"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS knox_authtoken_expiry_idx ON knox_authtoken (expiry)",
            reverse_sql="DROP INDEX IF EXISTS knox_authtoken_expiry_idx",
        ),
    ]
