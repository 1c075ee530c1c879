"""Database-level immutability of issued invoices.

On PostgreSQL a trigger refuses UPDATE and DELETE on ``invoicing_invoice``, ``invoicing_invoiceline``
and ``invoicing_creditadjustment`` for every role the application uses; status changes live in
``invoicing_invoicestate``, never in the issued rows, so no exception is needed. TRUNCATE is left to
privileges (as for the audit trail: the test suite's flush truncates tables, and in production the
application role should not own the tables, see docs/deploy.md).

On SQLite a trigger refuses UPDATE of the same tables. DELETE is not blocked there, because Django
empties SQLite tables with DELETE between tests; the model and its queryset refuse deletes, and the
ledger check (``zhishui invoice verify-ledger``) reports any removed invoice.

``install`` is idempotent. Migration 0002 runs it, and so does every ``migrate`` (post_migrate),
because SQLite loses a table's triggers when Django rebuilds the table in a later migration.
"""

from __future__ import annotations

TABLES = ("invoicing_invoice", "invoicing_invoiceline", "invoicing_creditadjustment")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION zhishui_invoice_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'issued invoices are immutable (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def install(connection) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(PG_FUNCTION)
            for table in TABLES:
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
                cur.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                            "FOR EACH ROW EXECUTE FUNCTION zhishui_invoice_immutable()")
        elif connection.vendor == "sqlite":
            for table in TABLES:
                cur.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_immutable BEFORE UPDATE ON {table} "
                            "BEGIN SELECT RAISE(ABORT, 'issued invoices are immutable'); END")


def uninstall(connection) -> None:
    with connection.cursor() as cur:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
            elif connection.vendor == "sqlite":
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_immutable")
        if connection.vendor == "postgresql":
            cur.execute("DROP FUNCTION IF EXISTS zhishui_invoice_immutable()")


def after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    if TABLES[0] in connection.introspection.table_names():
        install(connection)
