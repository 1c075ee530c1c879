"""The database refuses changes to issued invoices (see ``zhishui.invoicing.immutability``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from zhishui.invoicing.immutability import install

    install(schema_editor.connection)


def backwards(apps, schema_editor):
    from zhishui.invoicing.immutability import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
