"""``import_directory``: load a feed directory (EXCHANGE.md) into the registry.

For each feed file, in dependency order:

1. size limit, bomb checks, manifest checksum (before parsing), then the file is read into Arrow;
2. every column is validated vectorised (``validate``), then the feed's row rules and duplicate
   keys (``rules``), then the rules that tie invoices and their lines together (here);
3. a file with any bad row is rejected whole — nothing of it is written — unless
   ``skip_invalid``, in which case the bad rows go to ``rejected/<feed>.csv`` with their reasons;
4. in one transaction per file (invoices and their lines share one), identities are resolved,
   each row's keyed hash is compared with the stored row of the same natural key: new rows are
   inserted in bulk, changed rows are updated and their previous version kept in
   ``RecordVersion``, unchanged rows are left alone (re-importing a file changes nothing);
5. the load report (rows read, inserted, updated, unchanged, rejected, seconds) is stored.

After the batch the cross-feed quality checks run (``quality``) and the batch is audited.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from zhishui.core import audit, crypto

from . import dbwrite, identities, pii, summaries
from .exporter import neutralise
from .feeds import FEEDS, FORMATS, ORDER, Feed
from .models import ImportBatch, ImportedInvoice, ImportedInvoiceLine, Load, RecordVersion, Taxpayer, TaxRegistration
from .readers import FileRejected, Problem, check_size, read_feed_file
from .validate import Checked, _mask, check_columns

STORED_ERRORS = 1000  # problems kept in a Load row; the CLI and the rejected/ files have them all


@dataclass
class FileReport:
    feed: str
    file: str
    load_id: int | None = None
    status: str = "running"
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rejected_file: str = ""
    phases: dict[str, float] = field(default_factory=dict)  # seconds spent per step (benchmark breakdown)

    def timed(self, phase: str, started: float) -> float:
        now = time.perf_counter()
        self.phases[phase] = round(self.phases.get(phase, 0.0) + now - started, 4)
        return now

    def as_dict(self) -> dict:
        return {"feed": self.feed, "file": self.file, "load_id": self.load_id, "status": self.status,
                "rows_read": self.rows_read, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "seconds": round(self.seconds, 3),
                "errors": [p.as_dict() for p in self.problems], "warnings": [p.as_dict() for p in self.warnings],
                "rejected_file": self.rejected_file, "phases": self.phases}


@dataclass
class BatchReport:
    batch_id: int
    status: str = "ok"
    files: list[FileReport] = field(default_factory=list)
    messages: list[Problem] = field(default_factory=list)
    quality: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict:
        return {"batch_id": self.batch_id, "status": self.status, "files": [f.as_dict() for f in self.files],
                "messages": [m.as_dict() for m in self.messages], "quality": self.quality}


@dataclass
class _Context:
    batch: ImportBatch
    directory: Path
    source: str
    manifest: dict
    skip_invalid: bool
    max_bytes: int
    rejected_dir: Path
    today: date | None
    invoice_ids: tuple[pa.Array, np.ndarray] | None = None  # invoice numbers just written and their ids
    months_before: dict[str, set[str]] = field(default_factory=dict)  # months of the invoices updated


# --- discovery and manifest ----------------------------------------------------------------------

def discover(directory: Path) -> tuple[dict[str, Path], list[Problem]]:
    """The feed files of a directory (sub-directories such as ``rejected/`` and ``truth/`` are not read)."""
    candidates: dict[str, list[Path]] = {}
    notes: list[Problem] = []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        if path.name == "manifest.json" or path.name.startswith("."):
            continue
        stem, _, suffix = path.name.rpartition(".")
        if stem in FEEDS and suffix.lower() in FORMATS:
            candidates.setdefault(stem, []).append(path)
        else:
            notes.append(Problem(path.name, None, "", None, "不是交换格式中的数据文件，已忽略",
                                 "not a feed file of the exchange format; ignored"))
    found: dict[str, Path] = {}
    for stem, paths in candidates.items():
        if len(paths) > 1:
            names = "、".join(p.name for p in paths)
            notes.append(Problem(paths[0].name, None, "", None, f"同一数据项有多个文件（{names}），均未导入",
                                 f"several files for one feed ({', '.join(p.name for p in paths)}); none loaded"))
        else:
            found[stem] = paths[0]
    return found, notes


def read_manifest(directory: Path) -> tuple[dict, list[Problem]]:
    path = directory / "manifest.json"
    if not path.exists():
        return {}, []
    try:
        manifest = json.loads(path.read_text(encoding="utf-8-sig"))
        if not isinstance(manifest, dict) or not isinstance(manifest.get("feeds", {}), dict):
            raise ValueError("manifest must be an object with a feeds object")
    except (ValueError, UnicodeDecodeError) as exc:
        return {"_invalid": True}, [Problem("manifest.json", None, "", None, f"清单文件无效：{exc}",
                                            f"invalid manifest: {exc}")]
    return manifest, []


def _manifest_entry(ctx: _Context, feed: str) -> dict:
    return (ctx.manifest.get("feeds") or {}).get(feed) or {}


# --- the main entry point -------------------------------------------------------------------------

def import_directory(path: str | Path, *, by: str = "", via: str = "cli", skip_invalid: bool = False,
                     source: str = "", rejected_dir: str | Path | None = None, request=None,
                     today: date | None = None) -> BatchReport:
    """Load every feed file in ``path``; returns the batch report (also stored, and audited)."""
    directory = Path(path)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} 不是目录 / is not a directory")
    manifest, messages = read_manifest(directory)
    batch = ImportBatch.objects.create(started_at=timezone.now(), by=by[:150], via=via,
                                       directory=str(directory)[:500], source=source or manifest.get("source", ""),
                                       manifest={k: v for k, v in manifest.items() if k != "_invalid"},
                                       skip_invalid=skip_invalid)
    report = BatchReport(batch.id)
    files, notes = discover(directory)
    messages += notes
    ctx = _Context(batch, directory, source or str(manifest.get("source", "") or ""), manifest, skip_invalid,
                   settings.ZHISHUI_IMPORT_MAX_BYTES, Path(rejected_dir) if rejected_dir else directory / "rejected",
                   today)
    for name in (manifest.get("feeds") or {}) if not manifest.get("_invalid") else ():
        if name in FEEDS and name not in files:
            messages.append(Problem("manifest.json", None, name, None, f"清单列出的数据项{name}没有对应文件",
                                    f"the manifest lists feed {name} but no file for it is present"))
    dbwrite.tune_for_bulk()
    for name in ORDER:
        if name == "invoice_lines":
            continue
        if name == "invoices":
            if "invoices" in files or "invoice_lines" in files:
                report.files += _load_invoices(ctx, files.get("invoices"), files.get("invoice_lines"))
            continue
        if name in files:
            report.files.append(_load_feed(ctx, FEEDS[name], files[name]))
    from .quality import run_checks

    report.quality = run_checks(batch)
    report.messages = messages
    statuses = {f.status for f in report.files}
    if manifest.get("_invalid") or "rejected" in statuses:
        report.status = "rejected" if not statuses - {"rejected"} or manifest.get("_invalid") else "partial"
    elif "partial" in statuses:
        report.status = "partial"
    if not report.files and not messages:
        messages.append(Problem(directory.name, None, "", None, "目录中没有数据文件", "no feed files in the directory"))
    ImportBatch.objects.filter(pk=batch.pk).update(
        finished_at=timezone.now(), status=report.status, quality=report.quality,
        messages=[m.as_dict() for m in messages])
    audit.record("registry.import", request=request, username=by if request is None else "",
                 object_type="registry.ImportBatch", object_id=str(batch.id),
                 outcome="success" if report.status == "ok" else "failure",
                 detail={"via": via, "directory": directory.name, "status": report.status,
                         "files": {f.feed: {k: getattr(f, k) for k in ("status", "rows_read", "inserted", "updated",
                                                                          "unchanged", "rejected")}
                                   for f in report.files}})
    return report


# --- one file: read, check ------------------------------------------------------------------------

def _new_load(ctx: _Context, feed: Feed, path: Path) -> Load:
    return Load.objects.create(batch=ctx.batch, feed=feed.name, source=(ctx.source or feed.department)[:100],
                               file_name=path.name[:255], file_format=path.suffix.lower().lstrip("."),
                               started_at=timezone.now(), period=str(ctx.manifest.get("period", ""))[:20],
                               extracted_at=str(ctx.manifest.get("extracted_at", ""))[:40],
                               file_bytes=0, sha256="", status="running")


def _read_and_check(ctx: _Context, feed: Feed, path: Path, load: Load, report: FileReport) -> Checked | None:
    """Size, checksum, parse, validate. Returns None (and fills the report) when the file is rejected."""
    try:
        size = check_size(path, ctx.max_bytes)
        data = path.read_bytes() if path.suffix.lower() == ".csv" else None
        digest = hashlib.sha256(data).hexdigest() if data is not None else crypto.sha256_file(path)
        load.file_bytes, load.sha256 = size, digest
        entry = _manifest_entry(ctx, feed.name)
        if entry.get("sha256") and str(entry["sha256"]).lower() != digest:
            raise FileRejected([Problem(path.name, None, "", digest,
                                        f"校验和与清单不符：清单为{entry['sha256']}，文件为{digest}",
                                        f"checksum does not match the manifest: manifest {entry['sha256']}, "
                                        f"file {digest}")])
        mark = time.perf_counter()
        raw = read_feed_file(path, feed, ctx.max_bytes, data)
        mark = report.timed("read", mark)
        load.encoding = raw.encoding
        rows_in_file = raw.num_rows + len(raw.row_problems)
        report.rows_read = rows_in_file
        if "rows" in entry and int(entry["rows"]) != rows_in_file:
            raise FileRejected([Problem(path.name, None, "", str(rows_in_file),
                                        f"行数与清单不符：清单为{entry['rows']}行，文件为{rows_in_file}行",
                                        f"row count does not match the manifest: manifest {entry['rows']}, "
                                        f"file {rows_in_file}")])
        report.warnings += raw.warnings
        checked = check_columns(raw, ctx.today)
        report.timed("validate", mark)
        return checked
    except FileRejected as exc:
        report.problems = exc.problems
        report.rejected = report.rows_read
        return None



def _problems_of(ck: Checked) -> list[Problem]:
    problems = list(ck.raw.row_problems) + [p for _r, p in sorted(ck.problems, key=lambda rp: (rp[0], rp[1].column))]
    return problems


def _write_rejected(ctx: _Context, ck: Checked, report: FileReport) -> None:
    """rejected/<feed>.csv: the line, the row as it was read, and every reason (Chinese; English)."""
    ctx.rejected_dir.mkdir(parents=True, exist_ok=True)
    target = ctx.rejected_dir / f"{ck.feed.name}.csv"
    reasons: dict[int, list[Problem]] = {}
    for r, p in ck.problems:
        reasons.setdefault(r, []).append(p)
    names = [c.name for c in ck.feed.columns if c.name in ck.raw.table.column_names]
    table = ck.raw.table
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", *names, "reason_zh", "reason_en"])
        for r in sorted(reasons):
            cells = [neutralise(table.column(n)[r].as_py()) for n in names]
            ps = reasons[r]
            writer.writerow([int(ck.lines[r]), *cells,
                             neutralise("；".join(f"{p.column}：{p.message_zh}" for p in ps)),
                             neutralise("; ".join(f"{p.column}: {p.message_en}" for p in ps))])
        for p in ck.raw.row_problems:
            writer.writerow([p.line, *([""] * len(names)), neutralise(p.message_zh), neutralise(p.message_en)])
    report.rejected_file = str(target)


def _finish(load: Load, report: FileReport, started: float) -> FileReport:
    report.seconds = time.perf_counter() - started
    report.load_id = load.id
    Load.objects.filter(pk=load.pk).update(
        finished_at=timezone.now(), seconds=report.seconds, rows_read=report.rows_read, inserted=report.inserted,
        updated=report.updated, unchanged=report.unchanged, rejected=report.rejected, status=report.status,
        error_count=len(report.problems), errors=[p.as_dict() for p in report.problems[:STORED_ERRORS]],
        warnings=[p.as_dict() for p in report.warnings[:STORED_ERRORS]], encoding=load.encoding,
        file_bytes=load.file_bytes, sha256=load.sha256)
    return report


def _settle(ctx: _Context, ck: Checked, report: FileReport) -> Checked | None:
    """Decide what a checked file loads: everything, the valid rows (--skip-invalid) or nothing."""
    report.warnings += ck.notes
    problems = _problems_of(ck)
    bad_rows = int(ck.bad.sum()) + len(ck.raw.row_problems)
    if problems:
        report.problems = problems
        if not ctx.skip_invalid:
            report.status = "rejected"
            report.rejected = bad_rows
            return None
        _write_rejected(ctx, ck, report)
        report.rejected = bad_rows
        ck = ck.select(~ck.bad)
    merged = ck.extra.get("_merged")
    if merged is not None and merged.any():
        ck = ck.select(~merged)
    ck.raw.table = ck.raw.table.select([])  # the cells as written are no longer needed: free them
    return ck


def _load_feed(ctx: _Context, feed: Feed, path: Path) -> FileReport:
    started = time.perf_counter()
    report = FileReport(feed.name, path.name)
    load = _new_load(ctx, feed, path)
    ck = _read_and_check(ctx, feed, path, load, report)
    if ck is None:
        report.status = "rejected"
        return _finish(load, report, started)
    ck = _settle(ctx, ck, report)
    if ck is None:
        return _finish(load, report, started)
    try:
        with transaction.atomic():
            dbwrite.lock_imports()
            _write(ctx, feed, ck, load, report)
    except Exception as exc:  # a database error: the transaction rolled back, nothing of the file stays
        report.problems.append(Problem(path.name, None, "", None, f"写入数据库失败，文件未导入：{exc}",
                                       f"writing to the database failed; the file was not loaded: {exc}"))
        report.status = "rejected"
        report.inserted = report.updated = report.unchanged = 0
        report.rejected = report.rows_read
        return _finish(load, report, started)
    report.status = "partial" if report.rejected else "loaded"
    return _finish(load, report, started)


# --- invoices and their lines ---------------------------------------------------------------------

def _db_invoices(numbers: list[str]) -> dict[str, tuple]:
    """invoice_no → (id, seller key, buyer key, amount fen, tax fen, red_of) of stored invoices."""
    if not numbers or not dbwrite.any_rows(ImportedInvoice._meta.db_table):
        return {}
    out = {}
    for start in range(0, len(numbers), dbwrite.IN_CHUNK):
        chunk = numbers[start:start + dbwrite.IN_CHUNK]
        for no, pk, seller, buyer, amount, tax, red_of in ImportedInvoice.objects.filter(
                invoice_no__in=chunk).values_list("invoice_no", "id", "seller__key", "buyer__key", "amount", "tax",
                                                  "red_of"):
            out[no] = (pk, seller, buyer or "", round(amount * 100), round(tax * 100), red_of)
    return out


def _db_line_sums(invoice_ids: list[int]) -> dict[int, tuple[int, int]]:
    from django.db.models import Sum

    out: dict[int, tuple[int, int]] = {}
    for start in range(0, len(invoice_ids), dbwrite.IN_CHUNK):
        chunk = invoice_ids[start:start + dbwrite.IN_CHUNK]
        for pk, amount, tax in (ImportedInvoiceLine.objects.filter(invoice_id__in=chunk).values("invoice_id")
                                .annotate(a=Sum("amount"), t=Sum("tax")).values_list("invoice_id", "a", "t")):
            out[pk] = (round(amount * 100), round(tax * 100))
    return out


def _db_reds_of(blues: list[str]) -> dict[str, dict[str, int]]:
    """blue invoice_no → {red invoice_no: amount fen} of stored red invoices."""
    out: dict[str, dict[str, int]] = {}
    if not blues or not dbwrite.any_rows(ImportedInvoice._meta.db_table):
        return out
    for start in range(0, len(blues), dbwrite.IN_CHUNK):
        chunk = blues[start:start + dbwrite.IN_CHUNK]
        for no, red_of, amount in ImportedInvoice.objects.filter(red_of__in=chunk).values_list(
                "invoice_no", "red_of", "amount"):
            out.setdefault(red_of, {})[no] = round(amount * 100)
    return out


def _party_keys(ck: Checked, column: str, rows: list[int]) -> dict[int, str]:
    """Comparable party keys of some rows: the identifier, or its blind index when personal."""
    values = ck.canon[column].take(pa.array(rows, pa.int64())).to_pylist()
    personal = ck.extra[f"{column}.personal"]
    return {r: identities.key_for(v, bool(personal[r])) if v is not None else "" for r, v in zip(rows, values,
                                                                                                   strict=True)}


def _cross_check(inv: Checked | None, lines: Checked | None) -> None:
    """Lines add up to their invoice, lines name an invoice, red invoices name a matching blue one."""
    inv_nos = inv.canon["invoice_no"] if inv is not None else pa.array([], pa.string())
    line_invoice = lines.canon["invoice_no"] if lines is not None else pa.array([], pa.string())
    # Invoices of the lines that are not in the invoice file must be stored already.
    position = (pc.fill_null(pc.index_in(line_invoice, value_set=inv_nos), -1).to_numpy(zero_copy_only=False)
                if lines is not None else np.zeros(0, np.int64))
    in_file = position >= 0
    outside = sorted(set(line_invoice.filter(pa.array(~in_file & _mask(pc.is_valid(line_invoice)))).to_pylist()))
    stored = _db_invoices(outside) if outside else {}
    if lines is not None:
        known = pa.array(sorted(stored), pa.string())
        missing = _mask(pc.is_valid(line_invoice)) & ~in_file & ~_mask(pc.is_in(line_invoice, value_set=known))
        if missing.any():
            lines.add(np.nonzero(missing)[0], "invoice_no", "明细所属的发票既不在发票文件中，也未入库",
                      "the line's invoice is neither in the invoices file nor stored")
    if lines is not None:
        _check_sums_of_stored(lines, in_file, stored)
    if inv is not None:
        _check_sums(inv, lines, position)
    # Agreement between the two files: a bad line spoils its invoice, a bad blue invoice its red ones,
    # a bad invoice its lines.
    if inv is not None and lines is not None:
        bad_line_invoices = set(line_invoice.filter(pa.array(lines.bad)).to_pylist()) - {None}
        spoiled = _mask(pc.is_in(inv_nos, value_set=pa.array(sorted(bad_line_invoices), pa.string()))) & ~inv.bad
        if spoiled.any():
            inv.add(np.nonzero(spoiled)[0], "invoice_no", "该发票的明细行有错误", "a line of this invoice is invalid")
    if inv is not None:
        _check_red(inv)
    if inv is not None and lines is not None:
        bad_invoices = inv_nos.filter(pa.array(inv.bad))
        dragged = _mask(pc.is_in(line_invoice, value_set=bad_invoices)) & ~lines.bad
        if dragged.any():
            lines.add(np.nonzero(dragged)[0], "invoice_no", "所属发票有错误，明细一并拒绝",
                      "the invoice of this line is invalid; the line is rejected with it")


def _sum_by(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums of ``values`` per group 0..n-1 (bincount would go through float64)."""
    order = np.argsort(groups, kind="stable")
    g, v = groups[order], values[order]
    out = np.zeros(n, dtype=np.int64)
    if len(g):
        starts = np.concatenate([[0], np.nonzero(g[1:] != g[:-1])[0] + 1])
        out[g[starts]] = np.add.reduceat(v, starts)
    return out


def _check_sums(inv: Checked, lines: Checked | None, position: np.ndarray) -> None:
    n = inv.n
    amount = inv.extra["amount.fen"]
    tax = inv.extra["tax.fen"]
    inv_nos = inv.canon["invoice_no"]
    has_lines = np.zeros(n, dtype=bool)
    sum_a = np.zeros(n, dtype=np.int64)
    sum_t = np.zeros(n, dtype=np.int64)
    if lines is not None and lines.n:
        pos_np = position
        use = (pos_np >= 0) & ~lines.bad
        sum_a += _sum_by(pos_np[use], lines.extra["amount.fen"][use], n)
        sum_t += _sum_by(pos_np[use], lines.extra["tax.fen"][use], n)
        has_lines[pos_np[pos_np >= 0]] = True
        line_bad_for = np.zeros(n, dtype=bool)
        line_bad_for[pos_np[(pos_np >= 0) & lines.bad]] = True
        has_lines &= ~line_bad_for  # those get "a line of this invoice is invalid" instead
        checked = has_lines.copy()
    else:
        checked = np.zeros(n, dtype=bool)
    # Invoices without lines in this delivery: their stored lines must add up.
    without = ~has_lines & ~inv.bad & _mask(pc.is_valid(inv_nos))
    if lines is not None and lines.n:
        covered = np.zeros(n, dtype=bool)
        covered[position[position >= 0]] = True
        without &= ~covered
    if without.any():
        rows = np.nonzero(without)[0]
        numbers = inv_nos.take(pa.array(rows)).to_pylist()
        stored = _db_invoices(numbers)
        sums = _db_line_sums([stored[no][0] for no in numbers if no in stored])
        none = []
        for r, no in zip(rows.tolist(), numbers, strict=True):
            found = stored.get(no)
            if found is None or found[0] not in sums:
                none.append(r)
                continue
            sum_a[r], sum_t[r] = sums[found[0]]
            checked[r] = True
        if none:
            inv.add(np.asarray(none), "invoice_no", "发票没有明细行（invoice_lines中无此发票，库中也没有）",
                    "the invoice has no lines (none in invoice_lines, none stored)")
    off_a = checked & (sum_a != amount) & ~inv.bad
    if off_a.any():
        rows = np.nonzero(off_a)[0]
        inv.add(rows, "amount", "明细金额合计与发票金额不符", "the lines' amounts do not add up to the invoice amount")
        _detail_sums(inv, rows, sum_a)
    off_t = checked & (sum_t != tax) & ~off_a & ~inv.bad
    if off_t.any():
        rows = np.nonzero(off_t)[0]
        inv.add(rows, "tax", "明细税额合计与发票税额不符", "the lines' tax does not add up to the invoice tax")
        _detail_sums(inv, rows, sum_t)


def _detail_sums(ck: Checked, rows: np.ndarray, sums: np.ndarray) -> None:
    """Append the computed sum to the last problems' messages (one per row just added)."""
    tail = ck.problems[-len(rows):]
    fixed = []
    for (r, p), s in zip(tail, sums[rows].tolist(), strict=True):
        total = f"{s / 100:.2f}"
        fixed.append((r, Problem(p.file, p.line, p.column, p.value, f"{p.message_zh}（明细合计{total}）",
                                 f"{p.message_en} (lines add up to {total})")))
    ck.problems[-len(rows):] = fixed


def _check_sums_of_stored(lines: Checked, in_file: np.ndarray, stored: dict) -> None:
    """Lines delivered for invoices already stored (not in this invoice file) add up to them."""
    if not stored:
        return
    sums_a: dict[str, int] = {}
    sums_t: dict[str, int] = {}
    rows_of: dict[str, list[int]] = {}
    amount = lines.extra["amount.fen"]
    tax = lines.extra["tax.fen"]
    candidates = np.nonzero(~in_file)[0]
    nos = lines.canon["invoice_no"].take(pa.array(candidates)).to_pylist()
    for r, no in zip(candidates.tolist(), nos, strict=True):
        if no not in stored:
            continue
        rows_of.setdefault(no, []).append(r)
        sums_a[no] = sums_a.get(no, 0) + int(amount[r])
        sums_t[no] = sums_t.get(no, 0) + int(tax[r])
    bad = []
    for no, rows in rows_of.items():
        _pk, _s, _b, inv_amount, inv_tax, _red = stored[no]
        if sums_a[no] != inv_amount or sums_t[no] != inv_tax:
            bad += rows
    if bad:
        lines.add(np.asarray(bad), "amount", "明细合计与已入库发票的金额或税额不符",
                  "the lines do not add up to the stored invoice's amount or tax")


def _check_red(inv: Checked) -> None:
    red_rows = np.nonzero(_mask(pc.is_valid(inv.canon["red_of"])) & ~inv.bad)[0]
    # (a red invoice whose blue one is red itself is checked below; chains are not followed)
    if red_rows.size == 0:
        return
    nos_arr = inv.canon["invoice_no"]
    red_of_arr = inv.canon["red_of"]
    amount = inv.extra["amount.fen"]
    reds = red_rows.tolist()
    red_numbers = nos_arr.take(pa.array(reds)).to_pylist()
    blue_numbers = red_of_arr.take(pa.array(reds)).to_pylist()
    nos = dict(zip(reds, red_numbers, strict=True))
    red_of = dict(zip(reds, blue_numbers, strict=True))
    blues = sorted(set(blue_numbers))
    blue_pos = pc.fill_null(pc.index_in(pa.array(blues, pa.string()), value_set=nos_arr), -1).to_numpy(
        zero_copy_only=False)
    row_of = {b: int(p) for b, p in zip(blues, blue_pos.tolist(), strict=True) if p >= 0}
    involved = sorted(set(reds) | set(row_of.values()))
    sellers = _party_keys(inv, "seller_id", involved)
    buyers = _party_keys(inv, "buyer_id", involved)
    for b in row_of.values():
        red_of.setdefault(b, red_of_arr[b].as_py())
    stored = _db_invoices([b for b in blues if b not in row_of])
    stored_reds = _db_reds_of(blues)
    total_red: dict[str, dict[str, int]] = {b: dict(stored_reds.get(b, {})) for b in blues}
    for r in reds:
        total_red[red_of[r]][nos[r]] = int(amount[r])  # the file's version of a red invoice wins
    for r in reds:
        blue = red_of[r]
        if blue in row_of:
            b = row_of[blue]
            if inv.bad[b]:
                inv.add([r], "red_of", f"对应的蓝字发票{blue}有错误，红字发票一并拒绝",
                        f"the blue invoice {blue} is invalid; its red invoice is rejected with it")
                continue
            blue_seller, blue_buyer, blue_amount, blue_red_of = sellers[b], buyers[b], int(amount[b]), red_of[b]
        elif blue in stored:
            _pk, blue_seller, blue_buyer, blue_amount, _tax, blue_red_of = stored[blue]
        else:
            inv.add([r], "red_of", f"对应的蓝字发票{blue}不存在（不在本文件中，也未入库）",
                    f"the blue invoice {blue} does not exist (not in this file, not stored)")
            continue
        if blue_red_of or blue_amount < 0:
            inv.add([r], "red_of", f"发票{blue}本身是红字发票，不能被冲销", f"invoice {blue} is itself a red invoice")
            continue
        if blue_seller != sellers[r] or blue_buyer != buyers[r]:
            inv.add([r], "red_of", f"红字发票与蓝字发票{blue}的销售方或购买方不一致",
                    f"seller or buyer differs from the blue invoice {blue}")
            continue
        reversed_total = -sum(total_red[blue].values())
        if reversed_total > blue_amount:
            inv.add([r], "amount",
                    f"对蓝字发票{blue}累计红冲{reversed_total / 100:.2f}元，超过其金额{blue_amount / 100:.2f}元",
                    f"reverses {reversed_total / 100:.2f} in total of blue invoice {blue}, more than its "
                    f"{blue_amount / 100:.2f}")


def _load_invoices(ctx: _Context, inv_path: Path | None, lines_path: Path | None) -> list[FileReport]:
    started = time.perf_counter()
    feeds = [(FEEDS["invoices"], inv_path), (FEEDS["invoice_lines"], lines_path)]
    reports: dict[str, FileReport] = {}
    loads: dict[str, Load] = {}
    checked: dict[str, Checked | None] = {}
    for feed, path in feeds:
        if path is None:
            continue
        reports[feed.name] = FileReport(feed.name, path.name)
        loads[feed.name] = _new_load(ctx, feed, path)
        checked[feed.name] = _read_and_check(ctx, feed, path, loads[feed.name], reports[feed.name])
    inv, lines = checked.get("invoices"), checked.get("invoice_lines")
    unreadable = [name for name, ck in checked.items() if ck is None]
    if not unreadable:
        mark = time.perf_counter()
        _cross_check(inv, lines)
        for rep in reports.values():
            rep.timed("cross_check", mark)
    settled: dict[str, Checked | None] = {}
    for name, ck in checked.items():
        if ck is None:
            reports[name].status = "rejected"
            settled[name] = None
            continue
        settled[name] = _settle(ctx, ck, reports[name])
        if settled[name] is None:
            reports[name].status = "rejected"
    # Without --skip-invalid the two files stand or fall together: lines need their invoices.
    if any(v is None for v in settled.values()):
        for name, ck in settled.items():
            if ck is not None:
                other = "invoice_lines" if name == "invoices" else "invoices"
                reports[name].problems.append(Problem(reports[name].file, None, "", None,
                                                      f"{other}文件被拒绝，本文件一并未导入",
                                                      f"the {other} file was rejected, so this file was not loaded "
                                                      "either"))
                reports[name].status = "rejected"
                reports[name].rejected = reports[name].rows_read
        return [_finish(loads[n], reports[n], started) for n in reports]
    try:
        with transaction.atomic():
            dbwrite.lock_imports()
            ctx.months_before = {}
            if settled.get("invoices") is not None:
                _write(ctx, FEEDS["invoices"], settled["invoices"], loads["invoices"], reports["invoices"])
            if settled.get("invoice_lines") is not None:
                _write(ctx, FEEDS["invoice_lines"], settled["invoice_lines"], loads["invoice_lines"],
                       reports["invoice_lines"])
            mark = time.perf_counter()
            touched = summaries.months_of_loads(*(loads[n].id if settled.get(n) is not None else None
                                                  for n in ("invoices", "invoice_lines")))
            summaries.refresh({d: months | ctx.months_before.get(d, set()) for d, months in touched.items()})
            for rep in reports.values():
                rep.timed("summaries", mark)
    except Exception as exc:
        for rep in reports.values():
            rep.problems.append(Problem(rep.file, None, "", None, f"写入数据库失败，文件未导入：{exc}",
                                        f"writing to the database failed; the file was not loaded: {exc}"))
            rep.status = "rejected"
            rep.inserted = rep.updated = rep.unchanged = 0
            rep.rejected = rep.rows_read
        return [_finish(loads[n], reports[n], started) for n in reports]
    for rep in reports.values():
        rep.status = "partial" if rep.rejected else "loaded"
    return [_finish(loads[n], reports[n], started) for n in reports]


# --- writing -------------------------------------------------------------------------------------

def _text(arr: pa.Array) -> pa.Array:
    """A text column stored NOT NULL: empty string for null."""
    return pc.fill_null(arr, "")


def _db_columns(ctx: _Context, feed: Feed, ck: Checked, load: Load) -> tuple[dict[str, pa.Array], list[str]]:
    """The table's columns for each row, and the names of the natural-key columns."""
    cols: dict[str, pa.Array] = {}
    keys: list[str] = []
    for c in feed.columns:
        arr = ck.canon[c.name]
        if c.kind in ("taxpayer_id", "uscc"):
            names = None
            if feed.name in ("market_entities", "tax_registrations"):
                names = ck.canon["name"]
            elif c.name == "buyer_id" and "buyer_name" in ck.canon:
                names = ck.canon["buyer_name"]
            ids, _keys = identities.resolve(arr, ck.extra[f"{c.name}.kind"], ck.extra[f"{c.name}.personal"],
                                            load.id, names)
            cols[f"{c.field}_id"] = ids
            if c.key:
                keys.append(f"{c.field}_id")
        elif c.kind == "invoice_no" and c.target == "invoice":
            cols["invoice_id"] = _invoice_ids(ctx, arr)
            keys.append("invoice_id")
        elif c.kind == "id_number":
            values = arr.to_pylist()
            present = [v for v in values if v]
            enc, bidx, masked = pii.protect_ids(present)
            it_e, it_b, it_m = iter(enc), iter(bidx), iter(masked)
            e_col, b_col, m_col = [], [], []
            for v in values:
                if v:
                    e_col.append(next(it_e))
                    b_col.append(next(it_b))
                    m_col.append(next(it_m))
                else:
                    e_col.append("")
                    b_col.append("")
                    m_col.append("")
            cols[f"{c.field}_enc"], cols[f"{c.field}_bidx"], cols[f"{c.field}_masked"] = (
                pa.array(e_col, pa.string()), pa.array(b_col, pa.string()), pa.array(m_col, pa.string()))
            if c.key:
                keys.append(f"{c.field}_bidx")
        elif c.kind == "phone":
            enc, masked = pii.protect_phones(arr.to_pylist())
            cols[f"{c.field}_enc"] = pa.array(enc, pa.string())
            cols[f"{c.field}_masked"] = pa.array(masked, pa.string())
        elif c.kind == "datetime":
            valid = _mask(pc.is_valid(arr))
            cols[c.name] = dbwrite.datetime_text(ck.extra[f"{c.name}.utc_us"], valid)
            if c.key:
                cols["filed_key"] = _text(arr)
                keys.append("filed_key")
        elif c.kind == "integer":
            cols[c.name] = pa.array(ck.extra[f"{c.name}.int"], pa.int64(), mask=~_mask(pc.is_valid(arr)))
            if c.key:
                keys.append(c.name)
        elif c.kind == "bool":
            cols[c.name] = pc.equal(arr, "true")
        elif c.kind == "money":
            cols[c.name] = dbwrite.sqlite_number(ck.extra[f"{c.name}.fen"], 2, _mask(pc.is_valid(arr)), arr)
        elif c.kind == "rate":
            cols[c.name] = dbwrite.sqlite_number(ck.extra[f"{c.name}.micro"], 6, _mask(pc.is_valid(arr)), arr)
        elif c.kind == "decimal":
            valid = _mask(pc.is_valid(arr))
            low, high = _decimal_words(arr)
            fits = np.all((high == (low >> 63))[valid]) if valid.any() else True
            cols[c.name] = dbwrite.sqlite_number(low, 8, valid, arr) if fits else arr
        elif c.kind == "date":
            cols[c.name] = arr
            if c.key:
                keys.append(c.name)
        else:  # text, enum, month, period, invoice_no: stored NOT NULL
            cols[c.name] = _text(arr)
            if c.key:
                keys.append(c.name)
    if feed.name == "invoices":
        cols["month"] = pc.utf8_slice_codeunits(ck.canon["issued_at"], 0, 7)
    if feed.name == "persons":
        cols["id_forms"] = pa.array(ck.extra["id_forms"], pa.int64())
    return cols, keys


def _invoice_ids(ctx: _Context, numbers: pa.Array) -> pa.Array:
    """Ids of the lines' invoices: those just written (this delivery), else stored ones."""
    out = np.zeros(len(numbers), dtype=np.int64)
    found = np.zeros(len(numbers), dtype=bool)
    if ctx.invoice_ids is not None:
        written, written_ids = ctx.invoice_ids
        pos = pc.fill_null(pc.index_in(numbers, value_set=written), -1).to_numpy(zero_copy_only=False)
        found = pos >= 0
        out[found] = written_ids[pos[found]]
    rest = np.nonzero(~found)[0]
    if rest.size:
        need = sorted(set(numbers.take(pa.array(rest)).to_pylist()) - {None})
        stored = dict((no, pk) for pk, no in dbwrite.select_in(
            f'SELECT "id", "invoice_no" FROM "{ImportedInvoice._meta.db_table}"', '"invoice_no"', need))  # noqa: S608
        for r, no in zip(rest.tolist(), numbers.take(pa.array(rest)).to_pylist(), strict=True):
            if no in stored:
                out[r] = stored[no]
                found[r] = True
    return pa.array(out, pa.int64(), mask=~found)


_MIX = np.uint64(0x9E3779B97F4A7C15)
_NULL = np.uint64(0x6A09E667F3BCC909)


def _mix(h: np.ndarray, v: np.ndarray) -> np.ndarray:
    h = (h ^ v) * _MIX
    return h ^ (h >> np.uint64(32))


def _decimal_words(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Low and high 64-bit words of each value as decimal128(20, 8) (empty values as 0)."""
    dec = pc.cast(pc.fill_null(arr, "0"), pa.decimal128(20, 8))
    words = np.frombuffer(dec.buffers()[1], dtype=np.int64)[dec.offset * 2:(dec.offset + len(dec)) * 2]
    return words[0::2].copy(), words[1::2].copy()


def _column_words(c, ck: Checked, cols: dict) -> list[np.ndarray]:
    """64-bit words standing for each row's value of column ``c`` (typed values as numbers, text as
    keyed BLAKE2b of each distinct value); empty values get a constant of their own."""
    arr = ck.canon[c.name]
    valid = _mask(pc.is_valid(arr))

    def numbers(values: np.ndarray) -> list[np.ndarray]:
        return [np.where(valid, values.astype(np.int64).view(np.uint64), _NULL)]

    if c.kind in ("taxpayer_id", "uscc") and f"{c.field}_id" in cols:
        ids = pc.fill_null(cols[f"{c.field}_id"], 0).to_numpy(zero_copy_only=False)
        return numbers(ids)
    if c.kind == "money":
        return numbers(ck.extra[f"{c.name}.fen"])
    if c.kind == "rate":
        return numbers(ck.extra[f"{c.name}.micro"])
    if c.kind == "integer":
        return numbers(ck.extra[f"{c.name}.int"])
    if c.kind == "datetime":
        return numbers(ck.extra[f"{c.name}.utc_us"])
    if c.kind == "decimal":
        low, high = _decimal_words(arr)
        return [np.where(valid, low.view(np.uint64), _NULL), np.where(valid, high.view(np.uint64), _NULL)]
    encoded = pc.dictionary_encode(arr)
    hashed = pii.keyed_hashes(encoded.dictionary.to_pylist())
    idx = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return [np.where(idx >= 0, hashed[np.maximum(idx, 0)] if len(hashed) else _NULL, _NULL)]


def _row_hashes(feed: Feed, ck: Checked, cols: dict) -> np.ndarray:
    """A keyed 64-bit hash of each row's non-key columns, vectorised.

    Typed columns enter as numbers (amounts in fen, instants in µs, taxpayer ids), text as a keyed
    BLAKE2b per distinct value, so no personal value can be recovered by hashing guesses without the
    key; the key columns identify the row and are left out. Used only to tell a changed row from an
    unchanged one with the same natural key.
    """
    seed = np.uint64(int.from_bytes(pii.row_hash_key()[:8], "little"))
    h = np.full(ck.n, seed, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for position, c in enumerate(feed.columns):
            if c.key:
                continue
            salt = np.uint64((position + 1) * 0x100000001B3)
            for word in _column_words(c, ck, cols):
                h = _mix(h, word ^ salt)
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h.view(np.int64)


def _existing(table: str, keys: list[str], key_arrays: list[pa.Array], n_incoming: int,
              extra: tuple[str, ...] = ()) -> pa.Table | None:
    """Stored (key columns, id, row_hash, version, extra) of the rows whose keys may be among the incoming."""
    if not dbwrite.any_rows(table):
        return None
    select = ", ".join(f'"{c}"' for c in (*keys, "id", "row_hash", "version", *extra))
    head = f'SELECT {select} FROM "{table}"'  # noqa: S608 - names are ours
    stored = dbwrite.count(table)
    if stored <= 4 * n_incoming:
        rows = dbwrite.fetch_all(head)
    else:
        first = sorted(set(key_arrays[0].to_pylist()) - {None})
        rows = dbwrite.select_in(head, f'"{keys[0]}"', first)
    if not rows:
        return None
    columns = list(zip(*rows, strict=True))
    data = {}
    for name, values, incoming in zip(keys, columns, key_arrays, strict=False):
        if pa.types.is_integer(incoming.type):
            data[name] = pa.array(values, pa.int64())
        else:
            data[name] = pa.array([v.isoformat() if hasattr(v, "isoformat") else v for v in values], pa.string())
    data["__id"] = pa.array(columns[len(keys)], pa.int64())
    data["__hash"] = pa.array(columns[len(keys) + 1], pa.int64())
    data["__version"] = pa.array(columns[len(keys) + 2], pa.int64())
    for i, name in enumerate(extra):
        data[f"__{name}"] = pa.array(columns[len(keys) + 3 + i], pa.int64())
    return pa.table(data)


def _write(ctx: _Context, feed: Feed, ck: Checked, load: Load, report: FileReport) -> None:
    from . import models

    model = getattr(models, feed.model)
    table = model._meta.db_table
    n = ck.n
    if n == 0:
        return
    mark = time.perf_counter()
    cols, keys = _db_columns(ctx, feed, ck, load)
    mark = report.timed("identities", mark)
    hashes = _row_hashes(feed, ck, cols)
    mark = report.timed("hash", mark)
    extra = ("id_forms",) if feed.name == "persons" else ()
    existing = _existing(table, keys, [cols[k] for k in keys], n, extra)
    ids = np.zeros(n, dtype=np.int64)
    is_new = np.ones(n, dtype=bool)
    changed = np.zeros(n, dtype=bool)
    stored_forms = np.zeros(n, dtype=np.int64)
    if existing is not None:
        incoming = pa.table({**{k: cols[k] for k in keys}, "__i": pa.array(np.arange(n))})
        joined = incoming.join(existing, keys=keys, join_type="left outer").sort_by("__i")
        found = _mask(pc.is_valid(joined.column("__id")))
        ids[found] = pc.fill_null(joined.column("__id"), 0).to_numpy()[found]
        stored_hash = pc.fill_null(joined.column("__hash"), 0).to_numpy()
        is_new = ~found
        changed = found & (stored_hash != hashes)
        if extra:
            stored_forms = pc.fill_null(joined.column("__id_forms"), 0).to_numpy()
    new_rows = np.nonzero(is_new)[0]
    changed_rows = np.nonzero(changed)[0]
    mark = report.timed("compare", mark)
    report.inserted = len(new_rows)
    report.updated = len(changed_rows)
    report.unchanged = n - len(new_rows) - len(changed_rows)
    names = list(cols)
    if len(new_rows):
        start = dbwrite.allocate_ids(table, len(new_rows))
        ids[new_rows] = np.arange(start, start + len(new_rows))
        take = pa.array(new_rows)
        arrays = [cols[c].take(take) for c in names]
        dbwrite.insert(table, ["id", *names, "load_id", "row_hash", "version"],
                       [pa.array(ids[new_rows]), *arrays, pa.array(np.full(len(new_rows), load.id)),
                        pa.array(hashes[new_rows]), pa.array(np.ones(len(new_rows), dtype=np.int64))])
        dbwrite.finish_ids(table)
        mark = report.timed("insert", mark)
    if len(changed_rows):
        if feed.name == "invoices":  # the months they counted in until now: their summaries change too
            ctx.months_before = summaries.months_of_ids(ids[changed_rows])
        _keep_history(feed, model, ids[changed_rows], load)
        take = pa.array(changed_rows)
        settable = [c for c in names if c not in keys and c != "id_forms"]
        dbwrite.update(table, [*settable, "load_id", "row_hash"],
                       [*(cols[c].take(take) for c in settable), pa.array(np.full(len(changed_rows), load.id)),
                        pa.array(hashes[changed_rows])], ids[changed_rows])
        mark = report.timed("update", mark)
    if feed.name == "persons":
        forms = ck.extra["id_forms"]
        widen = ~is_new & ((stored_forms | forms) != stored_forms)
        if widen.any():
            from django.db import connection

            with connection.cursor() as cur:
                cur.executemany(f'UPDATE "{table}" SET "id_forms" = %s WHERE "id" = %s',  # noqa: S608
                                [(int(stored_forms[r] | forms[r]), int(ids[r])) for r in np.nonzero(widen)[0]])
    if feed.name == "invoices":
        ctx.invoice_ids = (ck.canon["invoice_no"], ids.copy())
    if feed.name in ("market_entities", "tax_registrations"):
        _name_taxpayers(feed, ck, cols, np.concatenate([new_rows, changed_rows]))


def _name_taxpayers(feed: Feed, ck: Checked, cols: dict, rows: np.ndarray) -> None:
    """The registered name wins over a market-entity name, which wins over a name seen in an invoice."""
    if not len(rows):
        return
    from django.db import connection

    ids = cols["taxpayer_id"].take(pa.array(rows)).to_pylist()
    names = ck.canon["name"].take(pa.array(rows)).to_pylist()
    table = Taxpayer._meta.db_table
    if feed.name == "tax_registrations":
        sql = f'UPDATE "{table}" SET "name" = %s, "in_district" = %s WHERE "id" = %s'  # noqa: S608
        params = [(name[:200], True, pk) for name, pk in zip(names, ids, strict=True)]
    else:
        district = settings.ZHISHUI_DISTRICT
        regions_ = ck.canon["region_code"].take(pa.array(rows)).to_pylist()
        reg_table = TaxRegistration._meta.db_table
        sql = (f'UPDATE "{table}" SET "name" = %s, "in_district" = ("in_district" OR %s) WHERE "id" = %s '  # noqa: S608
               f'AND NOT EXISTS (SELECT 1 FROM "{reg_table}" r WHERE r."taxpayer_id" = "{table}"."id")')
        params = [(name[:200], bool(region and region.startswith(district)), pk)
                  for name, region, pk in zip(names, regions_, ids, strict=True)]
    with connection.cursor() as cur:
        cur.executemany(sql, params)


def _keep_history(feed: Feed, model, ids: np.ndarray, load: Load) -> None:
    """Copy the stored versions of rows about to change into RecordVersion."""
    now = timezone.now()
    key_fields = _history_key_fields(feed)
    subject_field = None
    if feed.subject:
        subject_field = feed.column(feed.subject).field + "_id"
    person_field = {"persons": "id_bidx", "relations": "person_bidx"}.get(feed.name)
    versions = []
    id_list = [int(i) for i in ids]
    for start in range(0, len(id_list), dbwrite.IN_CHUNK):
        for row in model.objects.filter(pk__in=id_list[start:start + dbwrite.IN_CHUNK]).values():
            versions.append(RecordVersion(
                feed=feed.name, record_id=row["id"], key="|".join(str(row[k]) for k in key_fields)[:200],
                version=row["version"], row=json.loads(json.dumps(row, cls=DjangoJSONEncoder)),
                row_hash=row["row_hash"], load_id=row["load_id"], replaced_by=load, replaced_at=now,
                subject_id=row.get(subject_field) if subject_field else None,
                person_bidx=row.get(person_field, "") if person_field else ""))
    RecordVersion.objects.bulk_create(versions, batch_size=1000)


def _history_key_fields(feed: Feed) -> list[str]:
    out = []
    for c in feed.columns:
        if not c.key:
            continue
        if c.kind in ("taxpayer_id", "uscc") or (c.kind == "invoice_no" and c.target):
            out.append(f"{c.field}_id")
        elif c.kind == "id_number":
            out.append(f"{c.field}_bidx")
        elif c.kind == "datetime":
            out.append("filed_key")
        else:
            out.append(c.name)
    return out


def report_text(report: BatchReport, max_errors: int = 50) -> str:
    """The load report as text for the command line (Chinese / English)."""
    out = io.StringIO()
    out.write(f"导入批次 / batch {report.batch_id}: {report.status}\n")
    for m in report.messages:
        out.write(f"  ! {m.text()}\n")
    out.write(f"  {'数据项 feed':<22}{'状态 status':<12}{'读取 read':>11}{'新增 ins':>10}{'更新 upd':>10}"
              f"{'未变 same':>11}{'拒绝 rej':>10}{'秒 s':>9}\n")
    for f in report.files:
        out.write(f"  {f.feed:<22}{f.status:<12}{f.rows_read:>11}{f.inserted:>10}{f.updated:>10}{f.unchanged:>11}"
                  f"{f.rejected:>10}{f.seconds:>9.2f}\n")
    for f in report.files:
        for w in f.warnings[:max_errors]:
            out.write(f"  ~ {w.text()}\n")
        for p in f.problems[:max_errors]:
            out.write(f"  × {p.text()}\n")
        if len(f.problems) > max_errors:
            out.write(f"  … 另有{len(f.problems) - max_errors}个问题 / {len(f.problems) - max_errors} more problems\n")
        if f.rejected_file:
            out.write(f"  → 被拒绝的行已写入 / rejected rows written to {f.rejected_file}\n")
    if report.quality:
        out.write("  数据质量 / data quality: " + ", ".join(f"{k}={v}" for k, v in report.quality.items()) + "\n")
    return out.getvalue()
