from django.db import migrations

from organisatrice.documents.filenames import DEFAULT_FILENAME_PATTERNS


def create_default_patterns(apps, schema_editor):
    FilenamePattern = apps.get_model("documents", "FilenamePattern")
    for kind, pattern in DEFAULT_FILENAME_PATTERNS.items():
        FilenamePattern.objects.get_or_create(kind=str(kind), defaults={"pattern": pattern})


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create_default_patterns, migrations.RunPython.noop)]
