from django.db import migrations

from organisatrice.emails.templating.defaults import default_templates_install


class Migration(migrations.Migration):
    dependencies = [("emails", "0001_initial")]

    operations = [migrations.RunPython(default_templates_install, migrations.RunPython.noop)]
