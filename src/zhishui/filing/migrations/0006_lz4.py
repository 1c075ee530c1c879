from django.db import migrations

# The bulk pre-fill writes ~5 KB of JSON per return; PostgreSQL compresses a row's large values when the row
# passes ~2 KB, by default with pglz. lz4 (PostgreSQL 14+, when the server is built with it, as Debian's is)
# compresses several times faster: a chunk of 2,000 returns wrote in 97 ms instead of 136 ms
# (docs/decisions/0011). Only new values use it; nothing is rewritten.
COLUMNS = {"filing_return": ("values", "profile"), "filing_prefill": ("cells", "traces")}


def lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if not (row and row[0]):
            return
        for table, columns in COLUMNS.items():
            alter = ", ".join(f'ALTER COLUMN "{c}" SET COMPRESSION lz4' for c in columns)
            cursor.execute(f'ALTER TABLE "{table}" {alter}')


class Migration(migrations.Migration):
    dependencies = [("filing", "0005_json_text")]

    operations = [migrations.RunPython(lz4, migrations.RunPython.noop)]
