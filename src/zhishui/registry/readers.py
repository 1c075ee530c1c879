"""Reading feed files (CSV, XLSX, Parquet) into Arrow tables of text, with line numbers.

Every reader returns the same thing, a ``RawTable``: one string column per canonical column
name found in the header, values as written (empty cells as empty strings), and the line of each
row in the file (CSV: the physical line, the header being line 1; XLSX: the sheet row; Parquet:
the row number counted from 2, as if the header were row 1). Typed values from XLSX and Parquet
are turned into the contract's text forms first, so one validator serves all three formats.

Files are checked before they are parsed: the size limit (``ZHISHUI_IMPORT_MAX_BYTES``) for every
file; for XLSX (a zip) the declared uncompressed size and the compression ratio of every member;
for Parquet the uncompressed size its metadata declares. A file that fails is rejected with a
``FileRejected`` naming the reason in Chinese and English, and nothing of it is read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from .feeds import Feed

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_COMPRESSION_RATIO = 200  # an XLSX member that inflates more than this is treated as a bomb
MAX_ZIP_MEMBERS = 10_000
XLSX_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class Problem:
    """One finding about a file: where (line, column), what (value) and why (Chinese, English)."""

    file: str
    line: int | None
    column: str
    value: str | None
    message_zh: str
    message_en: str

    def as_dict(self) -> dict:
        value = self.value
        if isinstance(value, str) and len(value) > 200:
            value = value[:200] + "…"
        return {"file": self.file, "line": self.line, "column": self.column, "value": value,
                "message_zh": self.message_zh, "message_en": self.message_en}

    def text(self, language: str = "zh") -> str:
        where = f"{self.file}" + (f":{self.line}" if self.line else "") + (f" [{self.column}]" if self.column else "")
        value = "" if self.value is None else f" “{self.value}”"
        return f"{where}{value}: {self.message_zh} / {self.message_en}"


class FileRejected(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.text() for p in problems))


@dataclass
class RawTable:
    feed: Feed
    path: Path
    file_format: str
    encoding: str
    table: pa.Table  # canonical column name → string array
    lines: np.ndarray  # int64, the line of each row
    warnings: list[Problem] = field(default_factory=list)
    row_problems: list[Problem] = field(default_factory=list)  # rows that could not be split into cells

    @property
    def num_rows(self) -> int:
        return self.table.num_rows


def _human(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return str(n)


def check_size(path: Path, max_bytes: int) -> int:
    size = path.stat().st_size
    if size > max_bytes:
        raise FileRejected([Problem(path.name, None, "", None,
                                    f"文件大小{_human(size)}超过上限{_human(max_bytes)}（ZHISHUI_IMPORT_MAX_BYTES），未读取",
                                    f"file size {_human(size)} exceeds the limit of {_human(max_bytes)} "
                                    "(ZHISHUI_IMPORT_MAX_BYTES); not read")])
    return size


def check_zip(path: Path, max_bytes: int, what_zh: str = "XLSX文件", what_en: str = "XLSX file") -> None:
    """Refuse zip bombs before anything is inflated: member count, total size, per-member ratio."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected([Problem(name, None, "", None, f"{what_zh}已损坏或不是zip格式：{exc}",
                                    f"the {what_en} is damaged or not a zip archive: {exc}")]) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FileRejected([Problem(name, None, "", str(len(infos)), f"{what_zh}内含{len(infos)}个文件，超过上限"
                                    f"{MAX_ZIP_MEMBERS}", f"the {what_en} holds {len(infos)} members, more than "
                                    f"{MAX_ZIP_MEMBERS}")])
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise FileRejected([Problem(name, None, "", None,
                                    f"{what_zh}解压后共{_human(total)}，超过上限{_human(max_bytes)}（疑似压缩炸弹），未解压",
                                    f"the {what_en} inflates to {_human(total)}, more than the limit of "
                                    f"{_human(max_bytes)} (a zip bomb?); not inflated")])
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise FileRejected([Problem(name, None, info.filename, None,
                                        f"{what_zh}成员{info.filename}压缩比{ratio:.0f}:1，超过{MAX_COMPRESSION_RATIO}:1"
                                        "（疑似压缩炸弹），未解压",
                                        f"member {info.filename} has a compression ratio of {ratio:.0f}:1, more "
                                        f"than {MAX_COMPRESSION_RATIO}:1 (a zip bomb?); not inflated")])


# --- headers ------------------------------------------------------------------------------------

def _norm_header(text: object) -> str:
    value = unicodedata.normalize("NFKC", str(text or "")).strip().lstrip("\ufeff").strip()
    return value.lower() if value.isascii() else value


def map_header(feed: Feed, header: list[object], file: str) -> tuple[dict[int, str], list[Problem]]:
    """Position → canonical column for each known header cell; problems for unknown/duplicate/missing."""
    aliases = {_norm_header(k): v for k, v in feed.aliases().items()}
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    warnings: list[Problem] = []
    errors: list[Problem] = []
    for pos, cell in enumerate(header):
        text = _norm_header(cell)
        if not text:
            continue
        name = aliases.get(text)
        if name is None:
            warnings.append(Problem(file, 1, str(cell), None, f"未知列“{cell}”（第{pos + 1}列）已忽略",
                                    f"unknown column {cell!r} (column {pos + 1}) ignored"))
            continue
        if name in seen:
            errors.append(Problem(file, 1, name, str(cell),
                                  f"列“{name}”出现两次（第{seen[name] + 1}列和第{pos + 1}列）",
                                  f"column {name} appears twice (columns {seen[name] + 1} and {pos + 1})"))
            continue
        seen[name] = pos
        mapping[pos] = name
    for col in feed.columns:
        if col.required and col.name not in seen:
            errors.append(Problem(file, 1, col.name, None, f"缺少必需的列“{col.name}”（{col.label_zh}）",
                                  f"required column {col.name} ({col.label_zh}) is missing"))
    if errors:
        raise FileRejected(errors)
    return mapping, warnings


# --- CSV ----------------------------------------------------------------------------------------

def _decode_failure(data: bytes, exc: UnicodeDecodeError) -> tuple[int, str]:
    line = data.count(b"\n", 0, exc.start) + 1
    return line, data[exc.start:exc.start + 4].hex(" ")


def detect_encoding(data: bytes, file: str) -> tuple[str, bytes]:
    """UTF-8 (BOM or not) or GB18030; returns the name and the UTF-8 bytes to parse."""
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8):]
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, where = _decode_failure(data, UnicodeDecodeError(exc.encoding, exc.object, exc.start + 3,
                                                                   exc.end + 3, exc.reason))
            raise FileRejected([Problem(file, line, "", where,
                                        f"文件标明为UTF-8（有BOM），但第{line}行含无效字节 {where}",
                                        f"the file is marked UTF-8 (BOM) but line {line} has invalid bytes {where}")]
                               ) from None
        return "utf-8-sig", body
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise FileRejected([Problem(file, 1, "", data[:4].hex(" "), "文件是UTF-16/UTF-32编码；请另存为UTF-8或GB18030",
                                    "the file is UTF-16/UTF-32; save it as UTF-8 or GB18030")])
    try:
        data.decode("utf-8")
        return "utf-8", data
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        # Name the encoding that got further: that is likelier what the department meant.
        best, name = (utf8_error, "UTF-8") if utf8_error.start >= exc.start else (exc, "GB18030")
        line, where = _decode_failure(data, best)
        raise FileRejected([Problem(file, line, "", where,
                                    f"编码错误：文件既不是有效的UTF-8也不是GB18030；"
                                    f"第{line}行含无法按{name}解码的字节 {where}",
                                    f"wrong encoding: the file is neither valid UTF-8 nor GB18030; line {line} "
                                    f"has bytes {where} that do not decode as {name}")]) from None
    return "gb18030", text.encode("utf-8")


def _csv_header(data: bytes) -> list[str]:
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)].decode("utf-8").rstrip("\r")
    return next(csv.reader([first]), [])


def _python_csv_lines(data: bytes, ncols: int) -> tuple[list[int], list[tuple[int, int, str]]]:
    """Slow path, used only when some rows do not split: (line of each good row, bad rows)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    next(reader, None)
    good: list[int] = []
    bad: list[tuple[int, int, str]] = []
    start = 2
    for record in reader:
        if (record and any(cell.strip() for cell in record)) or len(record) > 1:
            if len(record) == ncols:
                good.append(start)
            else:
                bad.append((start, len(record), ",".join(record)))
        start = reader.line_num + 1
    return good, bad


def read_csv(path: Path, feed: Feed, data: bytes) -> RawTable:
    """Parse as UTF-8 first (Arrow validates it while parsing); on invalid UTF-8, detect the encoding."""
    file = path.name
    if data.startswith(codecs.BOM_UTF8) or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = detect_encoding(data, file)
        return _read_csv_utf8(path, feed, body, encoding)
    try:
        return _read_csv_utf8(path, feed, data, "utf-8")
    except (UnicodeDecodeError, _NotUtf8):
        encoding, body = detect_encoding(data, file)
        if encoding == "utf-8":  # Python decodes what Arrow refused: report Arrow's verdict
            raise FileRejected([Problem(file, None, "", None, "编码错误：文件含无效的UTF-8字节",
                                        "wrong encoding: the file has invalid UTF-8 bytes")]) from None
        return _read_csv_utf8(path, feed, body, encoding)


class _NotUtf8(Exception):
    pass


def _read_csv_utf8(path: Path, feed: Feed, body: bytes, encoding: str) -> RawTable:
    file = path.name
    header = _csv_header(body)
    mapping, warnings = map_header(feed, header, file)
    ncols = len(header)
    names = [f"c{i}" for i in range(ncols)]
    invalid: list[object] = []

    def on_invalid(row):
        invalid.append(row)
        return "skip"

    try:
        table = pcsv.read_csv(
            pa.py_buffer(body),
            read_options=pcsv.ReadOptions(skip_rows=1, column_names=names, block_size=1 << 22),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                include_columns=[names[i] for i in mapping]))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        if "utf8" in str(exc).lower() and encoding == "utf-8":
            raise _NotUtf8 from None
        raise FileRejected([Problem(file, None, "", None, f"CSV格式错误：{exc}", f"malformed CSV: {exc}")]) from None
    table = table.rename_columns([mapping[int(n[1:])] for n in table.column_names])
    row_problems: list[Problem] = []
    # One record per line unless a value holds a line break or blank lines are skipped: then (rarely)
    # the Python csv module tells each record's physical line.
    if invalid or body.count(b"\n") > table.num_rows + 1:
        good, bad = _python_csv_lines(body, ncols)
        lines = np.asarray(good[: table.num_rows], dtype=np.int64)
        if len(lines) != table.num_rows:  # pragma: no cover - the two parsers disagree on the file
            lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
        for line, got, text in bad:
            row_problems.append(Problem(file, line, "", text[:200], f"第{line}行有{got}个字段，表头有{ncols}个",
                                        f"line {line} has {got} fields, the header has {ncols}"))
    else:
        lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
    table, lines = _drop_blank_rows(table, lines)
    return RawTable(feed, path, "csv", encoding, table, lines, warnings, row_problems)


def _drop_blank_rows(table: pa.Table, lines: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """Rows whose every cell is empty (",,,") are not records; Arrow already skips empty lines."""
    if table.num_columns == 0 or table.num_rows == 0:
        return table, lines
    first = pc.equal(pc.utf8_trim_whitespace(table.column(0)), "")
    if not pc.any(first).as_py():
        return table, lines
    candidates = np.nonzero(first.to_numpy(zero_copy_only=False))[0]
    sub = table.take(pa.array(candidates))
    blank = np.ones(len(candidates), dtype=bool)
    for col in sub.columns:
        blank &= pc.equal(pc.utf8_trim_whitespace(col), "").to_numpy(zero_copy_only=False)
    if not blank.any():
        return table, lines
    keep = np.ones(table.num_rows, dtype=bool)
    keep[candidates[blank]] = False
    return table.filter(pa.array(keep)), lines[keep]


# --- XLSX ---------------------------------------------------------------------------------------

def _cell_text(value: object, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text or "E" in text else text
    if isinstance(value, dt.datetime):
        if kind == "date":
            return value.date().isoformat()
        if kind == "month":
            return value.strftime("%Y-%m")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, feed: Feed, max_bytes: int) -> RawTable:
    import openpyxl

    file = path.name
    check_zip(path, max_bytes)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise FileRejected([Problem(file, None, "", None, f"无法读取XLSX文件：{exc}",
                                    f"cannot read the XLSX file: {exc}")]) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows, ()) or ())
        mapping, warnings = map_header(feed, header, file)
        kinds = {pos: feed.column(name).kind for pos, name in mapping.items()}
        columns: dict[int, list[str]] = {pos: [] for pos in mapping}
        lines: list[int] = []
        row_problems: list[Problem] = []
        for number, row in enumerate(rows, start=2):
            if not row or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            extra = [i for i in range(len(header), len(row)) if row[i] is not None and str(row[i]).strip()]
            if extra:
                row_problems.append(Problem(file, number, "", str(row[extra[0]]),
                                            f"第{number}行第{extra[0] + 1}列超出表头范围",
                                            f"row {number} has a value in column {extra[0] + 1}, beyond the header"))
                continue
            lines.append(number)
            for pos in mapping:
                columns[pos].append(_cell_text(row[pos] if pos < len(row) else None, kinds[pos]))
    finally:
        workbook.close()
    table = pa.table({mapping[pos]: pa.array(values, pa.string()) for pos, values in columns.items()})
    return RawTable(feed, path, "xlsx", "", table, np.asarray(lines, dtype=np.int64), warnings, row_problems)


# --- Parquet ------------------------------------------------------------------------------------

def _arrow_to_text(array: pa.ChunkedArray, kind: str) -> pa.Array:
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    t = array.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        out = array.cast(pa.string())
    elif pa.types.is_timestamp(t):
        values = array.to_pylist()
        out_list = []
        for v in values:
            if v is None:
                out_list.append("")
                continue
            if v.tzinfo is None:
                v = v.replace(tzinfo=SHANGHAI)
            out_list.append(v.astimezone(SHANGHAI).isoformat())
        out = pa.array(out_list, pa.string())
    elif pa.types.is_floating(t):
        out = pa.array([_cell_text(v, kind) for v in array.to_pylist()], pa.string())
    elif pa.types.is_boolean(t):
        out = pc.if_else(array, "true", "false")
    elif pa.types.is_null(t):
        out = pa.array([""] * len(array), pa.string())
    else:
        out = array.cast(pa.string())
    return pc.fill_null(out, "")


def read_parquet(path: Path, feed: Feed, max_bytes: int) -> RawTable:
    import pyarrow.parquet as pq

    file = path.name
    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileRejected([Problem(file, None, "", None, f"无法读取Parquet文件：{exc}",
                                    f"cannot read the Parquet file: {exc}")]) from None
    meta = handle.metadata
    inflated = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if inflated > max_bytes:
        raise FileRejected([Problem(file, None, "", None,
                                    f"Parquet文件解压后约{_human(inflated)}，超过上限{_human(max_bytes)}，未读取",
                                    f"the Parquet file inflates to about {_human(inflated)}, more than the limit of "
                                    f"{_human(max_bytes)}; not read")])
    header = list(handle.schema_arrow.names)
    mapping, warnings = map_header(feed, header, file)
    table = handle.read(columns=[header[pos] for pos in mapping])
    columns = {mapping[pos]: _arrow_to_text(table.column(header[pos]), feed.column(mapping[pos]).kind)
               for pos in mapping}
    raw = pa.table(columns) if columns else pa.table({})
    lines = np.arange(2, raw.num_rows + 2, dtype=np.int64)
    return RawTable(feed, path, "parquet", "", raw, lines, warnings, [])


def read_feed_file(path: Path, feed: Feed, max_bytes: int, data: bytes | None = None) -> RawTable:
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "csv":
        return read_csv(path, feed, data if data is not None else path.read_bytes())
    if suffix == "xlsx":
        return read_xlsx(path, feed, max_bytes)
    if suffix == "parquet":
        return read_parquet(path, feed, max_bytes)
    raise FileRejected([Problem(path.name, None, "", None, f"不支持的文件格式“{suffix}”",
                                f"unsupported file format {suffix!r}")])
