"""批量预填: the VAT and surcharges returns of the whole district in bulk.

The interactive path (``sources`` rows → ``prefill`` builders → ``forms.compute``) prepares one
return at a time. For the district's tens of thousands of returns this module does the same work
in bulk and gives the same result (``tests/filing/test_bulk.py`` compares them return by return):

* one SQL aggregation per source, direction and VAT status sums the invoice lines by taxpayer,
  rate, class of supply and invoice type and lists each group's invoice numbers, so no invoice row
  becomes a Python object; the groups go to cells by the same ``prefill.Select`` mapping as rows do;
* the law's vectorised engines (``zhishui.law.batch``) compute the derived cells of all returns at
  once; a return whose inputs the law refuses (a negative net sales figure after red invoices, say)
  goes through ``forms.evaluate`` one by one, as interactively, and keeps the law's message;
* returns and pre-fills are written in bulk (COPY on PostgreSQL), a chunk per transaction.
"""

# The SQL here is assembled from model table names and fixed fragments; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
import os
import re
import signal
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache, partial
from multiprocessing import get_context
from typing import NamedTuple

import numpy as np
from django.db import connection, connections, transaction
from django.utils import timezone

from zhishui.core.periods import Period
from zhishui.core.sql import Dialect
from zhishui.law import batch as law_batch

from . import calendar, forms, parties, prefill, sources
from .models import Prefill, Return

OUTPUT, INPUT = sources.OUTPUT, sources.INPUT
LOCATIONS = ("city", "county_town", "other")


# --------------------------------------------------------------------------------------- read

def _select(sql: Dialect, own: str, number: str, kind: str) -> str:
    return (f"SELECT {own}, {sql.basis_points('l.tax_rate')}, substr(l.goods_code, 1, 1), {kind}, "
            f"{sql.fen_sum('l.amount')}, {sql.fen_sum('l.tax')}, {sql.numbers(number)} ")


def _issued(sql: Dialect, direction: str, period: Period) -> tuple[str, list]:
    """Output or input of the period's invoices issued on the platform."""
    from zhishui.invoicing.models import Invoice, InvoiceLine, InvoiceState

    inv, line, state = Invoice._meta.db_table, InvoiceLine._meta.db_table, InvoiceState._meta.db_table
    if direction == OUTPUT:
        tz = timezone.get_current_timezone()
        bounds = (datetime.combine(period.start, time.min, tzinfo=tz),
                  datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz))
        own, join = "i.seller_id", ""
        where = "i.issued_at >= %s AND i.issued_at < %s"
        params = [connection.ops.adapt_datetimefield_value(b) for b in bounds]
    else:
        months = [str(m) for m in period.month_periods()]
        own, join = "i.buyer_id", f"JOIN {state} s ON s.invoice_id = i.number "
        where = f"i.kind = 'special' AND s.usage = 'deduct' AND s.usage_period IN ({', '.join(['%s'] * len(months))})"
        params = months
    return (_select(sql, own, "i.number", "i.kind")
            + f"FROM {line} l JOIN {inv} i ON i.number = l.invoice_id {join}WHERE {where} GROUP BY 1, 2, 3, 4",
            params)


class Group(NamedTuple):
    """One taxpayer's invoice rows at one rate (in basis points), class of supply and invoice type: their sums
    in fen and the invoice numbers (comma-separated). A tuple: worker processes send them back cheaply."""

    bp: int
    goods: bool
    kind: str
    amount: int
    tax: int
    numbers: str

    @property
    def rate(self) -> Decimal:
        return _rate(self.bp)


@lru_cache(maxsize=64)
def _rate(basis_points: int) -> Decimal:
    return (Decimal(basis_points) / 10000).normalize() if basis_points else Decimal("0")


def fetch(direction: str, period: Period, pk_to_id: dict[int, str]) -> dict[str, list[Group]]:
    """Groups of the period's invoice rows by taxpayer identifier, from both sources: the imported invoices'
    monthly summaries (``registry.summaries``, kept by the importer) and the invoices issued on the platform
    (aggregated here). Imported invoices that came without lines go by the row path."""
    out: dict[str, list[Group]] = defaultdict(list)
    without_lines: list[str] = []
    sources_ = []
    if parties.registry_installed():
        from zhishui.registry import summaries

        sources_.append((summaries.rows(direction, [str(m) for m in period.month_periods()]), pk_to_id.get))
    if parties.invoicing_installed():
        sql = Dialect()
        with connection.cursor() as cursor:
            cursor.execute(*_issued(sql, direction, period))
            sources_.append((cursor.fetchall(), lambda tid: tid or None))
    for rows, ident in sources_:
        for own, bp, cls, kind, amount, tax, numbers in rows:
            tid = ident(own)
            if tid is None:
                continue
            if bp is None:
                without_lines += numbers.split(",")
            else:
                out[tid].append(Group(bp, cls == "1", kind, int(amount), int(tax), numbers))
    for tid, row in sources.imported_without_lines(without_lines, direction, pk_to_id):
        out[tid].append(Group(int(row.rate * 10000), row.goods, row.kind, round(row.amount * 100),
                              round(row.tax * 100), row.invoice_no))
    return out


# --------------------------------------------------------------------------------------- cells

_PLAIN_NUMBERS = re.compile(r"[0-9A-Za-z,\-]*")


def _numbers_json(parts: list[str]) -> str:
    """The JSON list of the invoice numbers in comma-separated ``parts`` (one per group), each once."""
    text = ",".join(parts)
    if len(parts) > 1:
        text = ",".join(sorted(set(text.split(","))))
    if _PLAIN_NUMBERS.fullmatch(text):
        return '["' + text.replace(",", '","') + '"]' if text else "[]"
    return json.dumps(text.split(","), ensure_ascii=False)


class Draft:
    """One return being prepared: cell values in fen and the JSON text of its traces."""

    __slots__ = ("cells", "facts", "numbers", "period", "profile", "selects", "tid")

    def __init__(self, tid: str, profile: parties.Profile, period: Period, editable: Iterable[str]):
        self.tid, self.profile, self.period = tid, profile, period
        self.cells = dict.fromkeys(editable, 0)
        self.numbers: dict[str, list[str]] = {}
        self.facts: dict[str, list[dict]] = {}
        self.selects: dict[str, str] = {}  # cell -> '"select":…,"field":…' JSON members

    def add(self, cell: str, g: Group, select: str, field: str = "amount") -> None:
        self.cells[cell] += g.amount if field == "amount" else g.tax
        self.numbers.setdefault(cell, []).append(g.numbers)
        self.selects[cell] = select

    def traces_json(self) -> str:
        parts = []
        traced = self.numbers.keys() | self.facts.keys() | self.selects.keys()
        for cell in [*(c for c in self.cells if c in traced), *(k for k in self.facts if k not in self.cells)]:
            numbers, facts, select = self.numbers.get(cell), self.facts.get(cell), self.selects.get(cell)
            facts_json = json.dumps(facts, ensure_ascii=False) if facts else "[]"
            parts.append(f'"{cell}":{{"invoices":{_numbers_json(numbers) if numbers else "[]"},'
                         f'"facts":{facts_json}{"," + select if select else ""}}}')
        return "{" + ",".join(parts) + "}"


def _members(select: prefill.Select, field: str = "amount") -> str:
    return f'"select":{json.dumps(select.as_dict())},"field":"{field}"'


_GENERAL = {cell: _members(sel) for cell, sel in prefill.GENERAL_OUTPUT.items()}
_GENERAL_INPUT = _members(prefill.GENERAL_INPUT, "tax")
_SMALL = {cell: _members(sel) for cell, sel in prefill.SMALL_OUTPUT.items()}


def _cell(mapping: dict[str, prefill.Select], g: Group, cache: dict = {}) -> str | None:  # noqa: B006 - a cache
    key = (id(mapping), g.bp, g.goods, g.kind)
    if key not in cache:
        cache[key] = prefill.cell_of(mapping, OUTPUT, g.rate, g.goods, g.kind)
    return cache[key]


def _general(draft: Draft, output: list[Group], inputs: list[Group], previous: dict | None,
             payments: list[dict]) -> None:
    unmapped = 0
    for g in output:
        cell = _cell(prefill.GENERAL_OUTPUT, g)
        if cell is None:
            unmapped += g.numbers.count(",") + 1
        else:
            draft.add(cell, g, _GENERAL[cell])
    draft.selects["line_12"] = _GENERAL_INPUT
    for g in inputs:
        draft.add("line_12", g, _GENERAL_INPUT, "tax")
    for cell, (value, facts) in (prefill.carried(previous) | prefill.paid(payments, draft.period)).items():
        draft.cells[cell] = round(value * 100)
        if facts:  # none: the trace says why (``prefill.NO_DATA``), as on the interactive path
            draft.facts[cell] = facts
    if unmapped:
        draft.facts.setdefault("line_8", []).append(prefill.unmapped_fact(unmapped))


def _small(draft: Draft, output: list[Group]) -> None:
    for g in output:
        cell = _cell(prefill.SMALL_OUTPUT, g)
        draft.add(cell, g, _SMALL[cell])


# --------------------------------------------------------------------------------------- compute

_HALVING: dict[tuple, tuple[bool, str]] = {}


def _halving(profile: parties.Profile, small_low_profit: bool | None) -> tuple[bool, str]:
    """``prefill.halving`` (which depends only on these fields) and its facts as JSON, once per kind."""
    key = (profile.vat_status, profile.taxpayer_kind, profile.entity_type, small_low_profit)
    if key not in _HALVING:
        eligible, facts = prefill.halving(profile, small_low_profit)
        _HALVING[key] = eligible, json.dumps(facts, ensure_ascii=False)
    return _HALVING[key]


_QUOTE = json.encoder.encode_basestring  # the encoder's own quoting of a string, as with ensure_ascii=False


def _profile_json(profile: parties.Profile, eligible: bool, facts_json: str) -> str:
    """``prefill.profile_facts`` as JSON (its strings quoted one by one: cheaper than the encoder's walk)."""
    members = ",".join(f'"{k}":{_QUOTE(v) if isinstance(v, str) else json.dumps(v)}'
                       for k, v in profile.as_dict().items())
    return f'{{{members},"halving_eligible":{"true" if eligible else "false"},"halving_facts":{facts_json}}}'


def _location(profile: parties.Profile) -> str | None:
    return profile.urban_class if profile.urban_class in LOCATIONS else None


def _derive_general(period: Period, col: dict[str, np.ndarray], drafts: list[Draft],
                    halving: list[bool]) -> dict[str, np.ndarray]:
    classes = [forms.SUPER_CREDIT_CLASSES[c // 100] for c in col["super_credit_class"].tolist()]
    res = law_batch.vat_general(period, {
        "sales_13": col["sales_13_goods"] + col["sales_13_services"],
        "sales_9": col["sales_9_goods"] + col["sales_9_services"], "sales_6": col["sales_6"],
        "simplified_sales_3": col["sales_simple_3"], "simplified_sales_5": col["sales_simple_5"],
        "simplified_inspection_sales": col["line_6"], "export_sales": col["line_7"],
        "exempt_sales": col["line_9"] + col["line_10"], "input_tax": col["line_12"],
        "previous_credit": col["line_13"], "input_transfer_out": col["line_14"], "export_refund": col["line_15"],
        "inspection_tax": col["line_16"], "super_credit_opening": col["super_credit_opening"],
        "super_credit_excluded_input": col["super_credit_excluded"],
        "super_credit_adjustment": col["super_credit_adjustment"], "simplified_inspection_tax": col["line_22"],
        "tax_reduction": col["line_23"], "opening_unpaid": col["line_25"], "export_refund_received": col["line_26"],
        "prepaid": col["line_28"], "export_prepaid": col["line_29"], "paid_previous": col["line_30"],
        "paid_arrears": col["line_31"], "opening_inspection_unpaid": col["line_36"],
        "inspection_paid": col["line_37"]}, super_credit_class=classes)
    jz = law_batch.vat_general(period, {  # the 即征即退项目 column through the same engine
        "output_tax_entered": col["jz_line_11"], "input_tax": col["jz_line_12"], "previous_credit": col["jz_line_13"],
        "input_transfer_out": col["jz_line_14"], "inspection_tax": col["jz_line_16"],
        "simplified_tax_entered": col["jz_line_21"], "simplified_inspection_tax": col["jz_line_22"],
        "tax_reduction": col["jz_line_23"], "opening_unpaid": col["jz_line_25"], "paid_previous": col["jz_line_30"],
        "paid_arrears": col["jz_line_31"]})
    derived = {k: res[k] for k in forms.GENERAL_FROM_LAW}
    derived.update({f"jz_{k}": jz[k] for k in forms.REFUND_FROM_LAW})
    derived["line_2"] = col["sales_13_goods"] + col["sales_9_goods"]
    derived["line_3"] = col["sales_13_services"] + col["sales_9_services"] + col["sales_6"]
    derived["jz_line_1"] = col["jz_line_2"] + col["jz_line_3"]
    vat = np.maximum(res["line_34"], 0) + np.maximum(jz["line_34"], 0)
    sales = res["line_1"] + res["line_5"] + col["line_7"] + res["line_8"] + derived["jz_line_1"] + col["jz_line_5"]
    sur = law_batch.surcharges(period, {"vat_paid": vat, "sales": np.maximum(sales, 0)},
                               [_location(d.profile) for d in drafts], halving)
    derived.update(line_39=sur["urban_maintenance_tax"], line_40=sur["education_surcharge"],
                   line_41=sur["local_education_surcharge"])
    derived["payable"] = vat + sur["total"]
    return derived


def _derive_small(period: Period, col: dict[str, np.ndarray], drafts: list[Draft],
                  halving: list[bool]) -> dict[str, np.ndarray]:
    sales_3 = col["sales_3_special"] + col["sales_3_other"] + col["sales_3_unbilled"]
    sales_5 = col["sales_5_special"] + col["sales_5"]
    res = law_batch.vat_small_scale(period, {"sales_3": sales_3, "immovable_sales": col["immovable_sales"],
                                             "other_sales_5": sales_5, "used_assets_sales": col["used_assets"],
                                             "other_exempt_sales": col["line_12"], "prepaid": col["line_21"]})
    sales = sales_3 + sales_5 + col["immovable_sales"] + col["used_assets"]
    sur = law_batch.surcharges(period, {"vat_paid": np.maximum(res["line_22"], 0), "sales": np.maximum(sales, 0)},
                               [_location(d.profile) for d in drafts], halving)
    derived = {k: res[k] for k in ("line_1", "line_4", "line_7", "line_9", "line_10", "line_11", "line_15", "line_16",
                                   "line_17", "line_18", "line_19", "line_20", "line_22")}
    taxed = (res["line_10"] == 0) & (res["line_11"] == 0)  # as forms.compute_vat_small
    derived["line_2"] = np.where(res["line_1"] != 0, col["sales_3_special"], 0)
    derived["line_3"] = res["line_1"] - derived["line_2"]
    derived["line_5"] = np.where(taxed, col["sales_5_special"], 0)
    derived["line_6"] = res["line_4"] - derived["line_5"]
    derived["line_8"] = res["line_7"] - np.where(taxed, col["used_assets_special"], 0)
    derived.update(line_23=sur["urban_maintenance_tax"], line_24=sur["education_surcharge"],
                   line_25=sur["local_education_surcharge"])
    derived["payable"] = np.maximum(res["line_22"], 0) + sur["total"]
    return derived


def _text(column: np.ndarray, whole: bool = False) -> list[str]:
    """A column of fen as yuan text (counts as whole numbers). Exact: below 2**50 fen (the law engines'
    bound is 10**15) the nearest double to value/100 is far closer to it than half a fen."""
    if whole:
        return [str(v // 100) for v in column.tolist()]
    return [f"{v / 100:.2f}" if v else "0.00" for v in column.tolist()]


def _objects(columns: dict[str, list[str]]) -> list[str]:
    """Rows of JSON objects from columns of plain ASCII text (cell keys and amounts), through one template."""
    template = "{" + ",".join(f'"{k}":"%s"' for k in columns) + "}"
    return [template % row for row in zip(*columns.values(), strict=True)]


DERIVE = {Return.VAT_GENERAL: _derive_general, Return.VAT_SMALL: _derive_small}


# --------------------------------------------------------------------------------------- write

_RETURN_COLUMNS = ("id", "taxpayer_id", "taxpayer_name", "form", "period", "revision", "status", "values", "profile",
                   "payable", "deviations", "warnings", "due_on", "created_at", "updated_at", "filed_by", "late")
_PREFILL_COLUMNS = ("ret_id", "version", "created_at", "created_by", "cells", "traces")


def _write(returns: list[tuple], prefills: list[tuple]) -> None:
    """Insert proposals (``returns`` rows without id, ``prefills`` rows without ret_id), in one transaction."""
    ret_table, pre_table = Return._meta.db_table, Prefill._meta.db_table
    ret_cols, pre_cols = (", ".join(connection.ops.quote_name(c) for c in cols)
                          for cols in (_RETURN_COLUMNS, _PREFILL_COLUMNS))
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [ret_table, len(returns)])
            ids = [row[0] for row in cursor.fetchall()]
            with cursor.cursor.copy(f"COPY {ret_table} ({ret_cols}) FROM STDIN") as copy:
                for pk, row in zip(ids, returns, strict=True):
                    copy.write_row((pk, *row[:12], now, now, *row[12:]))
            with cursor.cursor.copy(f"COPY {pre_table} ({pre_cols}) FROM STDIN") as copy:
                for pk, (version, by, cells, traces) in zip(ids, prefills, strict=True):
                    copy.write_row((pk, version, now, by, cells, traces))
            return
        # SQLite: the write lock is held (IMMEDIATE transactions), so the next ids are ours.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {ret_table}")
        first = cursor.fetchone()[0] + 1
        at = connection.ops.adapt_datetimefield_value(now)
        marks = ", ".join(["%s"] * len(_RETURN_COLUMNS))
        cursor.executemany(f"INSERT INTO {ret_table} ({ret_cols}) VALUES ({marks})",
                           [(first + i, *row[:12], at, at, *row[12:]) for i, row in enumerate(returns)])
        marks = ", ".join(["%s"] * len(_PREFILL_COLUMNS))
        cursor.executemany(f"INSERT INTO {pre_table} ({pre_cols}) VALUES ({marks})",
                           [(first + i, version, at, by, cells, traces)
                            for i, (version, by, cells, traces) in enumerate(prefills)])


# --------------------------------------------------------------------------------------- the job

WORKERS = 2  # processes proposing returns in parallel (the database works beside them)
_WORK: dict = {}  # what the worker processes inherit when they are forked


def _parallel() -> bool:
    """Worker processes need their own connections to see the data: not inside a transaction (a test's,
    say) nor on an in-memory SQLite database."""
    return ((os.cpu_count() or 1) > 1 and not connection.in_atomic_block
            and (connection.vendor != "sqlite" or not connection.is_in_memory_db()))


def prefill_vat(work: list[tuple[str, Period, list[tuple[str, parties.Profile]]]], *, pk_to_id: dict[int, str],
                previous: dict[str, dict], small_low_profit: dict[str, bool], by: str,
                progress: Callable[[int], None], chunk: int = 2000,
                payments: dict[str, list[dict]] | None = None) -> tuple[int, list[dict]]:
    """Propose, for each (form code, period, [(identifier, profile)…]) of ``work``, that return for every
    listed taxpayer (``previous``: the previous filed general returns, ``payments``: VAT paid on the platform
    in the period, by taxpayer). Returns the number of proposals the law refused (kept with its messages)
    and why."""
    # Every seller's output in the months any return needs (a small-scale quarter ends with the month general
    # taxpayers file) and each general period's input: the imported invoices' monthly summaries, read as they
    # are, and the platform's own invoices, aggregated.
    months = sorted({m for _code, period, _due in work for m in period.month_periods()}, key=str)
    spans = [(OUTPUT, m) for m in months] + [(INPUT, p) for code, p, _due in work if code == Return.VAT_GENERAL]
    groups: dict[tuple, dict[str, list[Group]]] = {(period, direction): fetch(direction, period, pk_to_id)
                                                   for direction, period in spans}
    tasks = [(code, period, due[i:i + chunk]) for code, period, due in work for i in range(0, len(due), chunk)]
    _WORK.update(groups=groups, previous=previous, payments=payments or {}, small_low_profit=small_low_profit, by=by)
    failed, errors = 0, []
    try:
        for n, refused, why in in_workers(_propose, tasks):
            progress(n)
            failed += refused
            errors += why
    finally:
        _WORK.clear()
    return failed, errors


def in_workers(fn: Callable, tasks: list) -> Iterator:
    """``fn(task)`` for every task, in ``WORKERS`` forked processes (each on a connection of its own), results
    as they come; here, one after another, for a single task (starting processes would cost more than they
    save) or where another process could not see the data (``_parallel``). ``fn`` must be a module-level
    function; what it needs besides its task it finds in what the processes inherit (``_WORK``, say)."""
    if not (_parallel() and len(tasks) > 1):
        yield from map(fn, tasks)
        return
    connections.close_all()  # a forked process must not share the parent's connection
    with get_context("fork").Pool(WORKERS, initializer=_in_worker) as pool:
        yield from pool.imap_unordered(partial(_closing, fn), tasks)
        pool.close()
        pool.join()


def _in_worker() -> None:
    # A forked worker keeps its parent's signal handlers (a task worker's, say, which only set a flag):
    # the pool must be able to stop it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _closing(fn: Callable, task):
    try:
        return fn(task)
    finally:
        connections.close_all()


def _propose(task: tuple[str, Period, list[tuple[str, parties.Profile]]]) -> tuple[int, int, list[dict]]:
    """Propose and store one chunk of returns (in a worker process, or in this one)."""
    code, period, due = task
    groups, previous, payments, small_low_profit, by = (_WORK[k] for k in ("groups", "previous", "payments",
                                                                           "small_low_profit", "by"))
    months = [groups.get((m, OUTPUT), {}) for m in period.month_periods()]
    inputs = groups.get((period, INPUT), {})
    form = forms.form(code)
    counts = {k for k, kind in form.kinds.items() if kind == "count"}
    due_on = calendar.deadline(period)
    failed, errors = 0, []
    drafts, halving, profiles = [], [], []
    for tid, profile in due:
        draft = Draft(tid, profile, period, form.editable)
        output = [g for month in months for g in month.get(tid, ())]
        if code == Return.VAT_GENERAL:
            _general(draft, output, inputs.get(tid, []), previous.get(tid), payments.get(tid, []))
        else:
            _small(draft, output)
        drafts.append(draft)
        eligible, facts_json = _halving(profile, small_low_profit.get(tid))
        halving.append(eligible)
        profiles.append(_profile_json(profile, eligible, facts_json))
    # The entered cells of every return as text, once; negative inputs go to the law one by one, exactly as
    # on the interactive path, the rest by column.
    col = {k: np.array([d.cells[k] for d in drafts], dtype=np.int64) for k in form.editable}
    entered = {k: _text(col[k], k in counts) for k in form.editable}
    cells = _objects(entered)
    negative = np.any(np.stack(list(col.values())) < 0, axis=0).tolist()
    rows = [i for i, neg in enumerate(negative) if not neg]
    values, payable, warnings = {}, {}, {}
    if rows:
        derived = DERIVE[code](period, {k: c[rows] for k, c in col.items()}, [drafts[i] for i in rows],
                               [halving[i] for i in rows])
        shown = {k: _text(derived[k]) if k in derived else [entered[k][i] for i in rows] for k in form.editable}
        shown |= {k: _text(v) for k, v in derived.items() if k not in shown and k != "payable"}
        values = dict(zip(rows, _objects(shown), strict=True))
        payable = dict(zip(rows, _text(derived["payable"]), strict=True))
    for i in (i for i, neg in enumerate(negative) if neg):
        draft = drafts[i]
        facts = prefill.profile_facts(draft.profile, small_low_profit.get(draft.tid))
        rendered, problems, amount, _comp = forms.evaluate(code, forms.decimals({k: v[i] for k, v in entered.items()}),
                                                           period, facts, trace=False)
        values[i], payable[i] = _objects({k: [v] for k, v in rendered.items()})[0], f"{amount:.2f}"
        warnings[i] = json.dumps(problems, ensure_ascii=False)
        if problems:
            failed += 1
            errors.append({"taxpayer_id": draft.tid, "errors": problems})
    returns = [(d.tid, d.profile.name, code, str(period), 0, Return.PROPOSED, values[i], profiles[i], payable[i], "[]",
                warnings.get(i, "[]"), due_on, "", False) for i, d in enumerate(drafts)]
    prefills = [(1, by, cells[i], d.traces_json()) for i, d in enumerate(drafts)]
    _write(returns, prefills)
    return len(drafts), failed, errors
