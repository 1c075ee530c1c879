"""The issuing transaction's physical writes, in as few statements as the databases allow.

Issuing is the hot path of the service (see docs/decisions/0006-invoicing.md): every statement is a
round trip held under the series lock. This module does that path's reads and writes in plain SQL
that both SQLite and PostgreSQL accept — the series row and the active key in one locking query,
the month's credit usage in one upsert that also returns the line, multi-row inserts for the lines
— with values adapted by the model fields themselves (``get_db_prep_save``), so the rows are exactly
what the ORM would have written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.db import connection

from .models import InvoiceEvent, InvoiceLine, InvoiceSeries, InvoiceState, SigningKey

CHUNK = 500


@lru_cache(maxsize=16)
def _columns(model, names: tuple[str, ...]):
    fields = [model._meta.get_field(n) for n in names]
    return fields, model._meta.db_table, ", ".join(connection.ops.quote_name(f.column) for f in fields)


def insert(model, names: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT the rows (tuples in ``names`` order), several per statement."""
    fields, table, cols = _columns(model, names)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cur:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            params = [f.get_db_prep_save(v, connection) for row in chunk for f, v in zip(fields, row, strict=True)]
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([row_marks] * len(chunk))}", params)  # noqa: S608 - names from the models, values bound


def lock_series(key: str) -> tuple | None:
    """(year, province, channel, last_seq, last_hash, active key id) with the series row locked."""
    lock = " FOR UPDATE OF s" if connection.features.has_select_for_update_of else ""
    series, keys = InvoiceSeries._meta.db_table, SigningKey._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT s.year, s.province, s.channel, s.last_seq, s.last_hash, k.key_id FROM {series} s "  # noqa: S608 - names from the models, values bound
                    f"LEFT JOIN {keys} k ON k.active = %s WHERE s.key = %s{lock}", [True, key])
        return cur.fetchone()


def advance_series(key: str, seq: int, digest: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {InvoiceSeries._meta.db_table} SET last_seq = %s, last_hash = %s WHERE key = %s",  # noqa: S608 - names from the models, values bound
                    [seq, digest, key])


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def add_usage(taxpayer_id: str, month: str, amount: Decimal, day: date) -> tuple[Decimal, Decimal | None,
                                                                                     Decimal]:
    """Add ``amount`` to the month's usage (creating the row) and return (used after, base line or None
    when the taxpayer has no line yet, temporary changes valid on ``day``). The row stays locked."""
    from .models import CreditAdjustment, CreditLine, CreditUsage

    usage, lines, adjustments = (CreditUsage._meta.db_table, CreditLine._meta.db_table,
                                 CreditAdjustment._meta.db_table)
    day_value = connection.ops.adapt_datefield_value(day)
    amount_value = connection.ops.adapt_decimalfield_value(amount, 18, 2)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {usage} (taxpayer_id, month, used) VALUES (%s, %s, %s) "  # noqa: S608 - names from the models, values bound
            f"ON CONFLICT (taxpayer_id, month) DO UPDATE SET used = {usage}.used + excluded.used "
            f"RETURNING used, (SELECT base_amount FROM {lines} WHERE taxpayer_id = %s), "
            f"(SELECT COALESCE(SUM(amount), 0) FROM {adjustments} WHERE taxpayer_id = %s AND kind = 'temporary' "
            f"AND (valid_from IS NULL OR valid_from <= %s) AND (valid_until IS NULL OR valid_until >= %s))",
            [taxpayer_id, month, amount_value, taxpayer_id, taxpayer_id, day_value, day_value])
        used, base, temporary = cur.fetchone()
    return _money(used), _money(base), _money(temporary) or Decimal("0.00")


INVOICE_FIELDS = ("number", "series", "seq", "kind", "colour", "red_of", "red_form_no", "issued_at", "seller_id",
                  "seller_name", "seller_vat_status", "seller_region", "seller_industry", "buyer_id", "buyer_name",
                  "amount", "tax", "total", "remark", "issuer", "issued_by", "channel", "line_count", "key_id",
                  "prev_hash", "digest", "signature")
LINE_FIELDS = ("invoice", "line_no", "goods_code", "item_name", "specification", "unit", "quantity", "unit_price",
               "amount", "tax_rate", "tax", "red_of_line")
STATE_FIELDS = ("invoice", "status", "red_amount", "red_tax", "booked_at", "usage", "usage_period", "usage_at",
                "usage_by", "delivered_at", "delivery_count", "download_count", "updated_at")
EVENT_FIELDS = ("at", "kind", "invoice_number", "seller_id", "buyer_id", "region", "amount", "tax", "detail")


def insert_issued(invoice, lines: list[dict], delivered_at, event_kind: str, event_detail: dict) -> None:
    """The invoice, its lines, its state row and its outbox event."""
    from .models import Invoice

    insert(Invoice, INVOICE_FIELDS, [tuple(getattr(invoice, f if f not in ("series", "red_of") else f + "_id")
                                           for f in INVOICE_FIELDS)])
    insert(InvoiceLine, LINE_FIELDS, [(invoice.number, ln["line_no"], ln["goods_code"], ln["item_name"],
                                       ln["specification"], ln["unit"], ln["quantity"], ln["unit_price"],
                                       ln["amount"], ln["tax_rate"], ln["tax"], ln["red_of_line"]) for ln in lines])
    insert(InvoiceState, STATE_FIELDS, [(invoice.number, InvoiceState.NORMAL, Decimal(0), Decimal(0), None, "", "",
                                         None, "", delivered_at, 1 if delivered_at else 0, 0, invoice.issued_at)])
    insert(InvoiceEvent, EVENT_FIELDS, [(invoice.issued_at, event_kind, invoice.number, invoice.seller_id,
                                         invoice.buyer_id, invoice.seller_region, invoice.amount, invoice.tax,
                                         event_detail)])


def invoice_for_verification(number: str):
    """The invoice (with ``status`` and ``prev_digest`` attached) and its lines, in two light queries, or None."""
    from .models import Invoice

    inv_table, state_table = Invoice._meta.db_table, InvoiceState._meta.db_table
    rows = list(Invoice.objects.raw(
        f"SELECT i.*, s.status AS state_status, p.digest AS prev_digest FROM {inv_table} i "  # noqa: S608 - names from the models, values bound
        f"JOIN {state_table} s ON s.invoice_id = i.number "
        f"LEFT JOIN {inv_table} p ON p.series_id = i.series_id AND p.seq = i.seq - 1 WHERE i.number = %s", [number]))
    if not rows:
        return None, []
    lines = list(InvoiceLine.objects.raw(
        f"SELECT * FROM {InvoiceLine._meta.db_table} WHERE invoice_id = %s ORDER BY line_no", [number]))  # noqa: S608 - names from the models, values bound
    return rows[0], lines


def recent_verifications(client: str, since) -> int:
    from .models import VerificationLog

    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {VerificationLog._meta.db_table} WHERE client = %s AND at >= %s",  # noqa: S608 - names from the models, values bound
                    [client, connection.ops.adapt_datetimefield_value(since)])
        return cur.fetchone()[0]
