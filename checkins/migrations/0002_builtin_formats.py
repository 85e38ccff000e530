from django.db import migrations


def forwards(apps, schema_editor):
    from checkins.formats import builtin_formats_sync

    builtin_formats_sync(apps.get_model("checkins", "Format"))


class Migration(migrations.Migration):
    dependencies = [("checkins", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
