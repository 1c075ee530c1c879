"""发票月度汇总: the imported invoices' lines summed by taxpayer and month — the seller's output by the month
issued, the buyer's input by the month deduction was confirmed — and by rate, class of supply (first digit of
the goods code) and invoice type, each sum with the numbers of its invoices. The district's bulk pre-fill
(``filing.bulk``) reads these instead of aggregating a quarter's invoice lines every time it runs.

Derived data, kept current by whoever writes imported invoices: the importer calls ``refresh`` in the
transaction that writes invoices or lines, for the months those rows fell in before the change and fall in
after it (``months_of_ids``, ``months_of_loads``). The months are rebuilt whole, in one aggregation per
direction: an import costs about two more passes over the stored invoices (docs/decisions/0011). An invoice that came
without lines makes a row of its own without rate (the pre-fill reads that invoice itself)."""

# The SQL here is assembled from model table names and fixed fragments; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from django.db import connection

from zhishui.core.sql import Dialect

OUTPUT, INPUT = "output", "input"
IN_CHUNK = 900  # values per IN (…) list, under SQLite's default limit of bound parameters


def _tables() -> tuple[str, str, str]:
    from .models import ImportedInvoice, ImportedInvoiceLine, InvoiceSummary

    return (ImportedInvoice._meta.db_table, ImportedInvoiceLine._meta.db_table, InvoiceSummary._meta.db_table)


def _bounds(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def _rebuild(direction: str, months: list[str]) -> None:
    """Replace the months' rows of one direction by a fresh aggregation of the stored invoices: one statement
    for all of them (a delivery of two years of invoices touches some fifty months, and one pass over the
    invoices costs about what one month's would)."""
    inv, line, summary = _tables()
    sql = Dialect()
    marks = ", ".join(["%s"] * len(months))
    if direction == OUTPUT:
        own, month = "i.seller_id", "i.month"
        where, params = f"i.month IN ({marks})", list(months)
    else:
        own, month = "i.buyer_id", sql.month_of("i.deduction_confirmed_on")
        where = (f"i.deduction_confirmed_on >= %s AND i.deduction_confirmed_on <= %s AND i.buyer_id IS NOT NULL "
                 f"AND {month} IN ({marks})")
        params = [connection.ops.adapt_datefield_value(d) for d in (_bounds(months[0])[0], _bounds(months[-1])[1])]
        params += months
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {summary} WHERE direction = %s AND month IN ({marks})", [direction, *months])
        cursor.execute(
            f"INSERT INTO {summary} (direction, month, taxpayer_id, rate_bp, goods_class, kind, amount_fen, tax_fen, "
            f"numbers) SELECT %s, {month}, {own}, {sql.basis_points('l.tax_rate')}, substr(l.goods_code, 1, 1), "
            f"i.invoice_type, COALESCE({sql.fen_sum('l.amount')}, 0), COALESCE({sql.fen_sum('l.tax')}, 0), "
            f"{sql.numbers('i.invoice_no')} FROM {inv} i{sql.table_scan} LEFT JOIN {line} l ON l.invoice_id = i.id "
            f"WHERE {where} GROUP BY 2, 3, 4, 5, 6", [direction, *params])


def refresh(months: dict[str, set[str]]) -> None:
    """Rebuild these months ({direction: {YYYY-MM, …}})."""
    for direction in (OUTPUT, INPUT):
        chosen = sorted(months.get(direction, ()))
        if chosen:
            _rebuild(direction, chosen)


def _months(query: str, params: list) -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    return {OUTPUT: {m for m, _d in rows}, INPUT: {d for _m, d in rows if d}}


def _select_months(where: str) -> str:
    inv, _line, _summary = _tables()
    return f"SELECT DISTINCT i.month, {Dialect().month_of('i.deduction_confirmed_on')} FROM {inv} i WHERE {where}"


def months_of_ids(invoice_ids: Iterable[int]) -> dict[str, set[str]]:
    """The months the given imported invoices count in (output and input)."""
    ids = [int(i) for i in invoice_ids]
    out: dict[str, set[str]] = {OUTPUT: set(), INPUT: set()}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start:start + IN_CHUNK]
        found = _months(_select_months(f"i.id IN ({', '.join(['%s'] * len(chunk))})"), chunk)
        for direction in out:
            out[direction] |= found[direction]
    return out


def months_of_loads(invoice_load: int | None, lines_load: int | None) -> dict[str, set[str]]:
    """The months of the invoices a load of invoices wrote, and of the invoices whose lines a load of lines
    wrote."""
    _inv, line, _summary = _tables()
    where, params = [], []
    if invoice_load is not None:
        where.append("i.load_id = %s")
        params.append(invoice_load)
    if lines_load is not None:
        where.append(f"i.id IN (SELECT invoice_id FROM {line} WHERE load_id = %s)")
        params.append(lines_load)
    if not where:
        return {OUTPUT: set(), INPUT: set()}
    return _months(_select_months(" OR ".join(where)), params)


def rebuild_all() -> None:
    """Every month of every stored invoice (after a migration, or to repair)."""
    _inv, _line, summary = _tables()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {summary}")
    refresh(_months(_select_months("1 = 1"), []))


def rows(direction: str, months: list[str]) -> list[tuple]:
    """(taxpayer pk, rate in basis points or None, goods class, invoice type, amount fen, tax fen, numbers) of
    the months."""
    _inv, _line, summary = _tables()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT taxpayer_id, rate_bp, goods_class, kind, amount_fen, tax_fen, numbers FROM {summary} "
                       f"WHERE direction = %s AND month IN ({', '.join(['%s'] * len(months))})", [direction, *months])
        return cursor.fetchall()
