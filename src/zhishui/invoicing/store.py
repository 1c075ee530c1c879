"""The issuing transaction's physical reads and writes, in as few statements and round trips as the
databases allow.

Issuing is the hot path of the service (see docs/decisions/0006-invoicing.md): every statement is a
round trip held under the series lock. ``IssueTx`` runs that path's statements on the driver's own
connection (inside the transaction Django opened), with the values adapted exactly as the model
fields adapt them, so the rows are what the ORM would have written:

* SQLite: each statement runs at once on the sqlite3 connection (no round trips; plain statements, which
  sqlite3 keeps prepared, instead of Django's query building).
* PostgreSQL: round trips and the server's parsing dominate. One statement takes the three locks (the
  series row, the month's credit usage upsert, the audit chain head, in that order by data dependency);
  the writes are queued and ``flush`` sends them as one statement of data-modifying WITH clauses; both
  are server-side prepared statements, parsed and planned once per connection. With BEGIN and COMMIT:
  four round trips, whatever the line count. (The plain path — the series lock, then the usage upsert
  and the head in one multi-statement query — serves batches, red invoices and the day's turn.)

The other helpers (``insert``, the verification reads) serve the less frequent paths.
"""

from __future__ import annotations

import json
from datetime import UTC, date
from decimal import Decimal
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections

from zhishui.core import audit

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


LOCK_SERIES_SQL = (f"SELECT s.year, s.province, s.channel, s.last_seq, s.last_hash, k.key_id "  # noqa: S608 - names from the models, values bound
                   f"FROM {InvoiceSeries._meta.db_table} s LEFT JOIN {SigningKey._meta.db_table} k ON k.active = %s "
                   f"WHERE s.key = %s")
ADVANCE_SERIES_SQL = f"UPDATE {InvoiceSeries._meta.db_table} SET last_seq = %s, last_hash = %s WHERE key = %s"  # noqa: S608 - names from the models, values bound


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _credit_sql() -> tuple[str, str]:
    """The credit-usage upsert of an issue, and the credit line's base and temporary adjustments (the month's
    cap) as two scalar subqueries — shared by the sequential and the single-lock statements."""
    from .models import CreditAdjustment, CreditLine, CreditUsage

    usage, lines, adjustments = (CreditUsage._meta.db_table, CreditLine._meta.db_table,
                                 CreditAdjustment._meta.db_table)
    upsert = (f"INSERT INTO {usage} (taxpayer_id, month, used) {{values}} "
              f"ON CONFLICT (taxpayer_id, month) DO UPDATE SET used = {usage}.used + excluded.used RETURNING used")
    cap = (f"(SELECT base_amount FROM {lines} WHERE taxpayer_id = %s), "  # noqa: S608 - names from the models, values bound
           f"(SELECT COALESCE(SUM(amount), 0) FROM {adjustments} WHERE taxpayer_id = %s AND kind = 'temporary' "
           f"AND (valid_from IS NULL OR valid_from <= %s) AND (valid_until IS NULL OR valid_until >= %s))")
    return upsert, cap


_UPSERT, _CAP = _credit_sql()
USAGE_SQL = f"{_UPSERT.format(values='VALUES (%s, %s, %s)')}, {_CAP}"


def _lock_all_sql() -> str:
    from zhishui.core.models import AuditChainHead

    return (f"WITH s AS (SELECT s.year, s.province, s.channel, s.last_seq, s.last_hash, k.key_id "  # noqa: S608 - names from the models, values bound
            f"FROM {InvoiceSeries._meta.db_table} s LEFT JOIN {SigningKey._meta.db_table} k ON k.active = %s "
            f"WHERE s.key = %s FOR UPDATE OF s), "
            f"u AS ({_UPSERT.format(values='SELECT %s, %s, %s FROM s')}), "
            f"h AS (SELECT a.last_seq, a.last_hash FROM {AuditChainHead._meta.db_table} a, u WHERE a.id = 1 "
            f"FOR UPDATE OF a) "
            f"SELECT s.year, s.province, s.channel, s.last_seq, s.last_hash, s.key_id, u.used, {_CAP}, "
            f"h.last_seq, h.last_hash FROM s CROSS JOIN u LEFT JOIN h ON true")


LOCK_ALL_SQL = _lock_all_sql()


INVOICE_FIELDS = ("number", "series", "seq", "kind", "colour", "red_of", "red_form_no", "issued_at", "seller_id",
                  "seller_name", "seller_vat_status", "seller_region", "seller_industry", "buyer_id", "buyer_name",
                  "amount", "tax", "total", "remark", "issuer", "issued_by", "channel", "line_count", "key_id",
                  "prev_hash", "digest", "signature")
LINE_FIELDS = ("invoice", "line_no", "goods_code", "item_name", "specification", "unit", "quantity", "unit_price",
               "amount", "tax_rate", "tax", "red_of_line")
STATE_FIELDS = ("invoice", "status", "red_amount", "red_tax", "booked_at", "usage", "usage_period", "usage_at",
                "usage_by", "delivered_at", "delivery_count", "download_count", "updated_at")
EVENT_FIELDS = ("at", "kind", "invoice_number", "seller_id", "buyer_id", "region", "amount", "tax", "detail")
IDEMPOTENCY_FIELDS = ("scope", "key", "request_hash", "status_code", "response", "created_at")
ZERO = Decimal(0)


@lru_cache(maxsize=16)
def insert_sql(model, names: tuple[str, ...], vendor: str) -> str:
    """One-row INSERT of ``names`` into the model's table, with the driver's placeholders."""
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    marks = ", ".join(["?" if vendor == "sqlite" else "%s"] * len(names))
    return f"INSERT INTO {model._meta.db_table} ({cols}) VALUES ({marks})"  # noqa: S608 - names from the models, values bound


def insert_async_commit(model, names: tuple[str, ...], row: tuple) -> None:
    """PostgreSQL, autocommit: insert one row, its commit not waiting for the disk. One prepared statement,
    its own transaction: ``set_config(…, true)`` sets ``synchronous_commit`` for that transaction, whose
    commit reads it. (JSON values go as jsonb.)"""
    from psycopg.types.json import Jsonb

    _run_prepared(_driver().connection, _async_insert_sql(model, names), [
        Jsonb(v) if isinstance(v, dict | list) else v for v in row])


@lru_cache(maxsize=8)
def _async_insert_sql(model, names: tuple[str, ...]) -> str:
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    return (f"WITH async AS (SELECT set_config('synchronous_commit', 'off', true)) "  # noqa: S608 - names from the models, values bound
            f"INSERT INTO {model._meta.db_table} ({cols}) SELECT {', '.join(['%s'] * len(names))} FROM async")


@lru_cache(maxsize=64)
def _driver_sql(template: str, vendor: str) -> str:
    return template.replace("%s", "?") if vendor == "sqlite" else template


@lru_cache(maxsize=64)
def _numbered(template: str) -> str:
    """%s placeholders (the statements here have no other %) as PostgreSQL's $1, $2, …"""
    parts = template.split("%s")
    return parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))


def _sqlite_datetime(value):
    # What Django's SQLite backend stores for an aware datetime (adapt_datetimefield_value): naive UTC, str().
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


class IssueTx:
    """The statements of one issuing transaction, on the driver connection of the transaction Django opened.

    ``lock_series`` → ``usage_and_audit_head`` → writes (``insert_issued``, ``advance_series``,
    ``append_audit``, ``insert_idempotency``) → ``flush``. On SQLite a write runs at once; on PostgreSQL it
    is queued and ``flush`` sends the queue as one statement (one round trip). Driver errors surface as
    Django's exceptions.
    """

    def __init__(self):
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw = connection.connection
        self.pending: list[tuple[str, object, bool]] = []
        if self.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            self.json, self.datetime = Jsonb, (lambda value: value)
        else:
            self.json, self.datetime = json.dumps, _sqlite_datetime  # as JSONField / DateTimeField adapt them

    def _prepared(self, sql: str, params) -> tuple | None:
        """Run one statement as a prepared statement; return its first row."""
        rows = _run_prepared(self.raw, sql, params)
        return rows[0] if rows else None

    # -- reads under the locks ---------------------------------------------------------------------

    def lock_series(self, key: str) -> tuple | None:
        """(year, province, channel, last_seq, last_hash, active key id) with the series row locked."""
        with connection.wrap_database_errors:
            if self.vendor == "sqlite":  # the IMMEDIATE transaction holds the write lock already
                return self.raw.execute(_driver_sql(LOCK_SERIES_SQL, "sqlite"), (True, key)).fetchone()
            with self.raw.cursor() as cur:  # Django's client-side-binding cursor class
                cur.execute(LOCK_SERIES_SQL + " FOR UPDATE OF s", (True, key))
                return cur.fetchone()

    def usage_and_audit_head(self, taxpayer_id: str, month: str, amount: Decimal, day: date
                             ) -> tuple[Decimal, Decimal | None, Decimal, tuple | None]:
        """Add ``amount`` to the month's credit usage (creating its row, which stays locked), then lock the
        audit chain head. Returns (used after, base line or None when the taxpayer has none yet, temporary
        changes valid on ``day``, (last_seq, last_hash) of the audit chain or None before its first event)."""
        head_sql = audit.head_sql()
        with connection.wrap_database_errors:
            if self.vendor == "sqlite":
                day_text = str(day)
                used, base, temporary = self.raw.execute(_driver_sql(USAGE_SQL, "sqlite"), (
                    taxpayer_id, month, amount, taxpayer_id, taxpayer_id, day_text, day_text)).fetchone()
                head = self.raw.execute(head_sql).fetchone()
            else:
                with self.raw.cursor() as cur:  # both statements, in this order, in one round trip
                    cur.execute(f"{USAGE_SQL}; {head_sql}", (taxpayer_id, month, amount, taxpayer_id, taxpayer_id,
                                                             day, day))
                    used, base, temporary = cur.fetchone()
                    cur.nextset()
                    head = cur.fetchone()
        return _money(used), _money(base), _money(temporary) or Decimal("0.00"), head

    def lock_all(self, key: str, taxpayer_id: str, month: str, amount: Decimal, day: date) -> tuple | None:
        """PostgreSQL: ``lock_series`` and ``usage_and_audit_head`` in one statement, one round trip.

        The usage row is written from the locked series row and the audit head is locked in a join with the
        written usage row, so the data dependencies fix the order of the locks: series, usage, audit head.
        Without a series row nothing is written or locked and the answer is None."""
        row = self._prepared(LOCK_ALL_SQL, (True, key, taxpayer_id, month, amount, taxpayer_id, taxpayer_id, day,
                                            day))
        if row is None:
            return None
        head = None if row[9] is None else (row[9], row[10])
        return row[:6], (_money(row[6]), _money(row[7]), _money(row[8]) or Decimal("0.00"), head)

    def audit_head(self) -> tuple | None:
        """(last_seq, last_hash) of the audit chain, locked (after something else appended to it)."""
        self.flush()
        with connection.cursor() as cur:
            cur.execute(audit.head_sql())
            return cur.fetchone()

    # -- writes ------------------------------------------------------------------------------------

    def write(self, sql: str, params, many: bool = False) -> None:
        """One statement (``many``: the same one for each row of ``params``)."""
        if self.vendor == "sqlite":
            with connection.wrap_database_errors:
                (self.raw.executemany if many else self.raw.execute)(_driver_sql(sql, "sqlite"), params)
        elif many:
            for start in range(0, len(params), CHUNK):  # multi-row VALUES, CHUNK rows per statement
                rows = params[start:start + CHUNK]
                head, _sep, marks = sql.rpartition(" VALUES ")
                self.pending.append((f"{head} VALUES {', '.join([marks] * len(rows))}",
                                     [v for row in rows for v in row], False))
        else:
            self.pending.append((sql, params, False))

    def flush(self) -> None:
        """Send the queued writes (PostgreSQL: one query of several statements, one round trip)."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        # One statement: each write a data-modifying WITH clause (they neither read one another's rows nor
        # take new locks, so their order does not matter; foreign keys are checked at commit). Bound on the
        # server and prepared once per connection and shape.
        sql = "WITH " + ", ".join(f"w{i} AS ({sql})" for i, (sql, _values, _many) in enumerate(pending)) + " SELECT 1"
        self._prepared(sql, [v for _sql, values, _many in pending for v in values])

    def insert_issued(self, invoice, lines: list, delivered_at, event_kind: str, event_detail: dict) -> None:
        """The invoice, its lines (``DraftLine``s), its state row and its outbox event."""
        from .models import Invoice

        number, issued_at, vendor = invoice.number, self.datetime(invoice.issued_at), self.vendor
        self.write(insert_sql(Invoice, INVOICE_FIELDS, vendor), (
            number, invoice.series_id, invoice.seq, invoice.kind, invoice.colour, invoice.red_of_id,
            invoice.red_form_no, issued_at, invoice.seller_id, invoice.seller_name, invoice.seller_vat_status,
            invoice.seller_region, invoice.seller_industry, invoice.buyer_id, invoice.buyer_name, invoice.amount,
            invoice.tax, invoice.total, invoice.remark, invoice.issuer, invoice.issued_by, invoice.channel,
            invoice.line_count, invoice.key_id, invoice.prev_hash, invoice.digest, invoice.signature))
        self.write(insert_sql(InvoiceLine, LINE_FIELDS, vendor), [
            (number, ln.line_no, ln.goods_code, ln.item_name, ln.specification, ln.unit, ln.quantity, ln.unit_price,
             ln.amount, ln.tax_rate, ln.tax, ln.red_of_line) for ln in lines], many=True)
        self.write(insert_sql(InvoiceState, STATE_FIELDS, vendor), (
            number, InvoiceState.NORMAL, ZERO, ZERO, None, "", "", None, "", self.datetime(delivered_at),
            1 if delivered_at else 0, 0, issued_at))
        self.write(insert_sql(InvoiceEvent, EVENT_FIELDS, vendor), (
            issued_at, event_kind, number, invoice.seller_id, invoice.buyer_id, invoice.seller_region,
            invoice.amount, invoice.tax, self.json(event_detail)))

    def advance_series(self, key: str, seq: int, digest: str) -> None:
        self.write(ADVANCE_SERIES_SQL, (seq, digest, key))

    def append_audit(self, event) -> None:
        insert, advance = audit.event_params(event)
        self.write(audit.INSERT_SQL, insert)
        self.write(audit.ADVANCE_SQL, advance)

    def insert_idempotency(self, scope: str, key: str, request_hash: str, status_code: int, response: dict,
                           created_at) -> None:
        from .models import IdempotencyRecord

        self.write(insert_sql(IdempotencyRecord, IDEMPOTENCY_FIELDS, self.vendor), (
            scope, key, request_hash, status_code, self.json(response), self.datetime(created_at)))


def _loader(model) -> tuple[list[str], list[str], list]:
    """(quoted columns, attribute names, converters) to build ``model`` instances from a plain SELECT exactly as
    the ORM does (the backend's and the fields' converters), remembered on the connection."""
    from django.db.models.expressions import Col

    wrapper = connections[DEFAULT_DB_ALIAS]  # this thread's connection object, not the proxy
    cache = wrapper.__dict__.setdefault("_zhishui_loaders", {})
    found = cache.get(model)
    if found is None:
        fields = model._meta.concrete_fields
        converters = []
        for pos, f in enumerate(fields):
            col = Col(model._meta.db_table, f)
            funcs = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if funcs:
                converters.append((pos, col, funcs))
        found = cache[model] = ([connection.ops.quote_name(f.column) for f in fields], [f.attname for f in fields],
                                converters)
    return found


def _build(model, row) -> object:
    _cols, names, converters = _loader(model)
    values = list(row[:len(names)])
    for pos, col, funcs in converters:
        value = values[pos]
        for func in funcs:
            value = func(value, col, connection)
        values[pos] = value
    return model.from_db(connection.alias, names, values)


def _run_prepared(raw, sql: str, params) -> list[tuple]:
    """Run one statement on psycopg connection ``raw`` with server-side binding as a prepared statement
    (parsed and planned once per connection); return its rows (none for a statement without result).
    Django turns psycopg's automatic preparing off for the connection (``prepare_threshold = None``), so it
    is switched on around this statement only."""
    import psycopg

    threshold = raw.prepare_threshold
    raw.prepare_threshold = 0
    try:
        # RawCursor takes $n placeholders as they are; psycopg remembers its parse of a %s query only up to
        # 50 parameters, and the invoice's writes have about 90 (0.1-0.2 ms of parsing per invoice).
        with connection.wrap_database_errors, psycopg.RawCursor(raw) as cur:
            cur.execute(_numbered(sql), params, prepare=True)
            return cur.fetchall() if cur.description else []
    finally:
        raw.prepare_threshold = threshold


def _driver():
    """This thread's connection object (not the proxy), connected and checked as Django's cursor would
    (``CONN_HEALTH_CHECKS``), for statements sent to the driver directly."""
    db = connections[DEFAULT_DB_ALIAS]
    db.close_if_health_check_failed()
    db.ensure_connection()
    return db


def _read(sql: str, params) -> list[tuple]:
    """The rows of one read on the driver connection. Through Django's cursor (a new wrapped cursor, and on
    SQLite the placeholders of the whole text rewritten on every call) the verification's read took about
    0.08 ms instead of 0.035 ms."""
    db = _driver()
    with db.wrap_database_errors:
        if db.vendor == "sqlite":
            return db.connection.execute(_driver_sql(sql, "sqlite"), params).fetchall()
        return _run_prepared(db.connection, sql, params)


@lru_cache(maxsize=4)
def _verification_sql(vendor: str) -> str:
    from .models import Invoice

    inv_cols = ", ".join(f"t.{c}" for c in _loader(Invoice)[0])
    line_cols = ", ".join(f"l.{c}" for c in _loader(InvoiceLine)[0])
    return (f"SELECT {inv_cols}, s.status, p.digest, {line_cols} FROM {Invoice._meta.db_table} t "  # noqa: S608 - names from the models, values bound
            f"JOIN {InvoiceState._meta.db_table} s ON s.invoice_id = t.number "
            f"LEFT JOIN {Invoice._meta.db_table} p ON p.series_id = t.series_id AND p.seq = t.seq - 1 "
            f"LEFT JOIN {InvoiceLine._meta.db_table} l ON l.invoice_id = t.number "
            f"WHERE t.number = %s ORDER BY l.line_no")


def invoice_for_verification(number: str):
    """The invoice (with ``state_status`` and ``prev_digest`` attached) and its lines, or (None, []).

    One query: the invoice with its state and its predecessor's digest, joined to its lines."""
    from .models import Invoice

    rows = _read(_verification_sql(connection.vendor), [number])
    if not rows:
        return None, []
    first, split = rows[0], len(_loader(Invoice)[1]) + 2
    invoice = _build(Invoice, first)
    invoice.state_status, invoice.prev_digest = first[split - 2], first[split - 1]
    lines = [_build(InvoiceLine, r[split:]) for r in rows if r[split] is not None]
    return invoice, lines


def recent_verifications(client: str, since, limit: int) -> int:
    """Verifications by ``client`` since ``since``, counted up to ``limit`` (the index range read stays short
    however busy the client is)."""
    from .models import VerificationLog

    return _read(f"SELECT COUNT(*) FROM (SELECT 1 FROM {VerificationLog._meta.db_table} "  # noqa: S608 - names from the models, values bound
                 f"WHERE client = %s AND at >= %s LIMIT %s) recent",
                 [client, connection.ops.adapt_datetimefield_value(since), limit])[0][0]
