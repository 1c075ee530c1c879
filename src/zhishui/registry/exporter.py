"""``export_directory``: write the registry back out in the exchange format (EXCHANGE.md).

The output is a feed directory the importer reads unchanged: canonical headers, the canonical text
of every value (the same text the importer's row hash covers, so import → export → import finds
every row unchanged), UTF-8 CSV without BOM (or XLSX, or typed Parquet) and a ``manifest.json``
with row counts and SHA-256 checksums.

Formula injection: a spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula. In CSV and XLSX output every *text* column (``Column.is_text``: names, addresses, goods,
phone numbers…) whose value starts with one of those — after any number of apostrophes — gets one
more apostrophe in front; the importer removes exactly one from such values, so the mapping is
lossless both ways. Typed columns (money, decimals, rates, integers, dates, identifiers, enums) are
never touched: a red invoice's ``-100.00`` is written as ``-100.00`` and reads back as the same
amount (in XLSX it is a number cell, which no spreadsheet evaluates).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from zhishui.core import audit, crypto

from . import pii
from .feeds import FEEDS, ORDER, Column, Feed
from .readers import SHANGHAI, XLSX_MAX_ROWS

_FORMULA = re.compile(r"^'*[=+\-@]")


def neutralise(value):
    """Prefix one apostrophe to text a spreadsheet would run as a formula (inverse: the importer)."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def _decimal_text(value: Decimal) -> str:
    from .validate import canonical_decimal_text

    return canonical_decimal_text(value)


def _datetime_text(value: dt.datetime) -> str:
    return value.astimezone(SHANGHAI).isoformat()


class _Identifiers:
    """Taxpayer id → identifier in clear (decrypted on first use)."""

    def __init__(self):
        from .models import Taxpayer

        self.rows = {pk: (tax_id, enc, personal) for pk, tax_id, enc, personal in
                     Taxpayer.objects.values_list("id", "tax_id", "tax_id_enc", "personal")}
        self.cache: dict[int, str] = {}

    def __call__(self, pk: int | None) -> str:
        if pk is None:
            return ""
        if pk not in self.cache:
            tax_id, enc, personal = self.rows[pk]
            self.cache[pk] = pii.decrypt(enc) if personal else tax_id
        return self.cache[pk]


def _fields(feed: Feed) -> list[str]:
    out = []
    for c in feed.columns:
        if c.kind in ("taxpayer_id", "uscc"):
            out.append(f"{c.field}_id")
        elif c.kind == "invoice_no" and c.target == "invoice":
            out.append("invoice__invoice_no")
        elif c.kind in ("id_number", "phone"):
            out.append(f"{c.field}_enc")
        else:
            out.append(c.name)
    return out


def canonical_rows(feed: Feed, identifiers: _Identifiers | None = None):
    """Each stored row of the feed as the canonical text of its columns (``None`` for empty)."""
    from . import models

    model = getattr(models, feed.model)
    identifiers = identifiers or _Identifiers()
    fields = _fields(feed)
    converters = [_converter(c, identifiers) for c in feed.columns]
    for row in model.objects.order_by("id").values_list(*fields).iterator(chunk_size=20_000):
        yield [conv(v) for conv, v in zip(converters, row, strict=True)]


def _converter(c: Column, identifiers: _Identifiers):
    kind = c.kind

    def empty(fn):
        return lambda v: None if v is None or v == "" else fn(v)

    if kind in ("taxpayer_id", "uscc"):
        return lambda v: identifiers(v) or None
    if kind in ("id_number", "phone"):
        return empty(pii.decrypt)
    if kind == "money":
        return empty(lambda v: f"{v:.2f}")
    if kind in ("decimal", "rate"):
        return empty(_decimal_text)
    if kind == "date":
        return empty(lambda v: v.isoformat())
    if kind == "datetime":
        return empty(_datetime_text)
    if kind == "integer":
        return empty(str)
    if kind == "bool":
        return lambda v: None if v is None else ("true" if v else "false")
    return empty(str)


def _write_csv(feed: Feed, path: Path, rows) -> int:
    text_cols = [c.is_text for c in feed.columns]
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([c.name for c in feed.columns])
        for row in rows:
            writer.writerow(["" if v is None else (neutralise(v) if t else v) for v, t in zip(row, text_cols,
                                                                                              strict=True)])
            count += 1
    return count


def _xlsx_value(c: Column, v: str | None):
    if v is None:
        return None
    if c.is_text:
        return neutralise(v)
    if c.kind in ("money", "decimal", "rate"):
        digits = len(v.replace("-", "").replace(".", "").lstrip("0"))
        return Decimal(v) if digits <= 15 else v  # a number cell where a double holds it exactly
    if c.kind == "integer":
        return int(v)
    if c.kind == "date":
        return dt.date.fromisoformat(v)
    return v


def _write_xlsx(feed: Feed, path: Path, rows) -> int:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(feed.name)
    sheet.append([c.name for c in feed.columns])
    count = 0
    for row in rows:
        count += 1
        if count >= XLSX_MAX_ROWS:
            raise ValueError(f"{feed.name}: XLSX最多{XLSX_MAX_ROWS - 1}行数据，请导出为csv或parquet / "
                             f"XLSX holds at most {XLSX_MAX_ROWS - 1} data rows; export csv or parquet")
        sheet.append([_xlsx_value(c, v) for c, v in zip(feed.columns, row, strict=True)])
    workbook.save(path)
    return count


def _parquet_type(c: Column):
    import pyarrow as pa

    return {"date": pa.date32(), "datetime": pa.timestamp("us", tz="Asia/Shanghai"), "money": pa.decimal128(18, 2),
            "decimal": pa.decimal128(20, 8), "rate": pa.decimal128(9, 6), "integer": pa.int64(),
            "bool": pa.bool_()}.get(c.kind, pa.string())


def _parquet_value(c: Column, v: str | None):
    if v is None:
        return None
    if c.kind == "date":
        return dt.date.fromisoformat(v)
    if c.kind == "datetime":
        return dt.datetime.fromisoformat(v)
    if c.kind in ("money", "decimal", "rate"):
        return Decimal(v)
    if c.kind == "integer":
        return int(v)
    if c.kind == "bool":
        return v == "true"
    return v


def _write_parquet(feed: Feed, path: Path, rows) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: list[list] = [[] for _ in feed.columns]
    for row in rows:
        for i, (c, v) in enumerate(zip(feed.columns, row, strict=True)):
            columns[i].append(_parquet_value(c, v))
    table = pa.table({c.name: pa.array(values, _parquet_type(c)) for c, values in zip(feed.columns, columns,
                                                                                        strict=True)})
    pq.write_table(table, path)
    return table.num_rows


WRITERS = {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet}



def export_directory(path: str | Path, *, feeds: list[str] | None = None, fmt: str = "csv", by: str = "",
                     request=None, source: str = "") -> dict:
    """Write the chosen feeds (default all) and a manifest into ``path``; returns the manifest."""
    from zhishui.core.regions import resolve

    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt}")
    target = Path(path)
    target.mkdir(parents=True, exist_ok=True)
    chosen = [f for f in ORDER if feeds is None or f in feeds]
    identifiers = _Identifiers()
    entries = {}
    for name in chosen:
        feed = FEEDS[name]
        file = target / f"{name}.{fmt}"
        rows = WRITERS[fmt](feed, file, canonical_rows(feed, identifiers))
        entries[name] = {"rows": rows, "sha256": crypto.sha256_file(file)}
    manifest = {
        "source": source or f"智税平台（{resolve(settings.ZHISHUI_DISTRICT).full_name}）",
        "extracted_at": timezone.localtime().isoformat(timespec="seconds"),
        "format_version": 1,
        "feeds": entries,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    audit.record("registry.export", request=request, username=by if request is None else "",
                 object_type="registry.export", object_id=target.name,
                 detail={"format": fmt, "feeds": {k: v["rows"] for k, v in entries.items()}})
    return manifest
