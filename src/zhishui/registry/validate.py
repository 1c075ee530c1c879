"""Validation of a feed file, column by column, vectorised over Arrow arrays.

A row loop in Python over millions of invoice lines is too slow, so every check here runs over
whole columns (Arrow compute and NumPy). The ``core`` parsers stay the one authority on what is
valid: the vectorised fast paths accept exactly what they accept (a test compares the two), and
every value a fast path refuses is handed to the ``core`` parser (``parse_uscc``,
``parse_id_number``, ``classify``, ``parse_invoice_number``, ``to_money``, ``parse_period``), whose
message — in Chinese and English — is what the report shows. Identifiers are parsed once per
distinct value, not once per row.

The result, ``Checked``, holds for each column its *canonical text* (what the exporter writes and
the row hash covers) and the typed extras the writer needs (amounts in fen, UTC instants, the
kind of each taxpayer identifier), plus every problem found with its row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhishui.core import identifiers as ids
from zhishui.core import regions
from zhishui.core.errors import ValidationFailure
from zhishui.core.money import to_money
from zhishui.core.periods import parse_period

from .feeds import Column, Feed
from .readers import SHANGHAI, Problem, RawTable

# --- small Arrow/NumPy helpers -------------------------------------------------------------------


def _mask(arr) -> np.ndarray:
    """A boolean Arrow array (nulls as False) as a NumPy bool array."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _null_array(n: int) -> pa.Array:
    return pa.nulls(n, pa.string())


def _fixed_matrix(arr: pa.Array, width: int) -> np.ndarray:
    """Bytes of a string array whose every value is ``width`` bytes long, as an (n, width) matrix."""
    arr = pa.concat_arrays([arr]) if arr.offset else arr  # a fresh array starts its data at offset 0
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[: len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8) if arr.buffers()[2] else np.zeros(0, np.uint8)
    return data[offsets[0]: offsets[0] + len(arr) * width].reshape(len(arr), width)


def _full(n: int, value: bool) -> np.ndarray:
    return np.full(n, value, dtype=bool)


def _canon_text(arr: pa.Array) -> pa.Array:
    """Trim; empty → null."""
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _normalise_identifier(arr: pa.Array) -> pa.Array:
    """``core.identifiers.normalize`` over a column: NFKC (full-width → ASCII), strip, upper case."""
    return pc.utf8_upper(pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC")))


# --- fast identifier checks (must accept exactly what the core parsers accept) --------------------

_USCC_VALUE = np.full(256, 255, dtype=np.uint8)
for _i, _ch in enumerate(ids.USCC_ALPHABET):
    _USCC_VALUE[ord(_ch)] = _i
_USCC_W = np.array([3 ** i % 31 for i in range(17)], dtype=np.int32)
_ID_W = np.array([2 ** (17 - i) % 11 for i in range(17)], dtype=np.int32)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_DIGIT0, _DIGIT9, _X = ord("0"), ord("9"), ord("X")
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def calendar_ok(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether (year, month, day) is a real date (Gregorian), elementwise."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    days = _MONTH_DAYS[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    return month_ok & (day >= 1) & (day <= days)


@cache
def _province_codes(with_permits: bool) -> np.ndarray:
    ok = np.zeros(100, dtype=bool)
    for code in range(100):
        text = f"{code:02d}"
        if regions.province_name(text) is not None or (with_permits and text in ("81", "82", "83")):
            ok[code] = True
    return ok


def _candidates(arr: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the values exactly ``width`` bytes long, and their bytes as an (n, width) matrix."""
    cand = _mask(pc.equal(pc.binary_length(arr), width))
    idx = np.nonzero(cand)[0]
    if idx.size == 0:
        return idx, np.zeros((0, width), dtype=np.uint8)
    return idx, _fixed_matrix(arr.take(pa.array(idx)), width)


def uscc_fast(arr: pa.Array) -> np.ndarray:
    """Valid USCCs (``parse_uscc`` would accept them), for normalised, non-null ASCII values."""
    out = _full(len(arr), False)
    idx, mat = _candidates(arr, 18)
    if idx.size == 0:
        return out
    values = _USCC_VALUE[mat]
    ok = (values != 255).all(axis=1)
    region = mat[:, 2:8]
    ok &= ((region >= _DIGIT0) & (region <= _DIGIT9)).all(axis=1)
    body = np.where(values[:, :17] == 255, 0, values[:, :17]).astype(np.int32)
    total = body @ _USCC_W
    ok &= values[:, 17] == (31 - total % 31) % 31
    out[idx] = ok
    return out


def id_fast(arr: pa.Array, today: date) -> np.ndarray:
    """Valid 18-character ID numbers (``parse_id_number`` would accept them unchanged)."""
    out = _full(len(arr), False)
    idx, mat = _candidates(arr, 18)
    if idx.size == 0:
        return out
    digits = (mat[:, :17] >= _DIGIT0) & (mat[:, :17] <= _DIGIT9)
    ok = digits.all(axis=1)
    last = mat[:, 17]
    ok &= ((last >= _DIGIT0) & (last <= _DIGIT9)) | (last == _X)
    num = np.where(digits, mat[:, :17].astype(np.int32) - _DIGIT0, 0)
    ok &= _province_codes(True)[num[:, 0] * 10 + num[:, 1]]
    ok &= _ID_CHECK[(num @ _ID_W) % 11] == last
    year = num[:, 6] * 1000 + num[:, 7] * 100 + num[:, 8] * 10 + num[:, 9]
    month = num[:, 10] * 10 + num[:, 11]
    day = num[:, 12] * 10 + num[:, 13]
    ok &= calendar_ok(year, month, day)
    born = year * 10000 + month * 100 + day
    ok &= (born >= 18800101) & (born <= int(today.strftime("%Y%m%d")))
    out[idx] = ok
    return out


LEGACY_INVOICE = r"^\d{10,12}-\d{8}$"  # 发票代码-发票号码 of paper and pre-数电 electronic invoices


def invoice_fast(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(valid, legacy): 20-digit numbers ``parse_invoice_number`` accepts, or legacy code-number."""
    n = len(arr)
    twenty = _mask(pc.and_(pc.equal(pc.binary_length(arr), 20), pc.ascii_is_decimal(arr)))
    legacy = np.zeros(n, dtype=bool)
    others = np.nonzero(~twenty)[0]
    if others.size:
        legacy[others] = _mask(pc.match_substring_regex(arr.take(pa.array(others)), LEGACY_INVOICE))
    ok = _full(n, False)
    if twenty.any():
        idx = np.nonzero(twenty)[0]
        mat = _fixed_matrix(arr.take(pa.array(idx)), 20).astype(np.int32) - _DIGIT0
        year = 2000 + mat[:, 0] * 10 + mat[:, 1]
        good = (year >= ids._FIRST_INVOICE_YEAR) & (year <= 2099)
        good &= _province_codes(False)[mat[:, 2] * 10 + mat[:, 3]]
        good &= mat[:, 5:].any(axis=1)  # the sequence is not 0
        ok[idx] = good
    return ok | legacy, legacy


# --- the checked file ---------------------------------------------------------------------------


@dataclass
class Checked:
    feed: Feed
    raw: RawTable
    canon: dict[str, pa.Array]
    extra: dict[str, np.ndarray | pa.Array] = field(default_factory=dict)
    bad: np.ndarray = field(default=None)
    problems: list[tuple[int, Problem]] = field(default_factory=list)  # (row index, problem)
    notes: list[Problem] = field(default_factory=list)  # warnings that reject nothing

    @property
    def n(self) -> int:
        return len(self.bad)

    @property
    def lines(self) -> np.ndarray:
        return self.raw.lines

    def add(self, rows: np.ndarray | list[int], column: str, zh: str, en: str, values: list | None = None) -> None:
        """Record one problem per row index; the value shown is the raw cell unless given."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        self.bad[rows] = True
        raw_values = values
        if raw_values is None:
            col = self.raw.table.column(column) if column in self.raw.table.column_names else None
            raw_values = col.take(pa.array(rows)).to_pylist() if col is not None else [None] * len(rows)
        file = self.raw.path.name
        for r, v in zip(rows.tolist(), raw_values, strict=True):
            self.problems.append((r, Problem(file, int(self.raw.lines[r]), column, v, zh, en)))

    def add_each(self, rows: np.ndarray, column: str, message) -> None:
        """One problem per row, its message computed from the raw value by ``message(value) -> (zh, en)``."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        col = self.raw.table.column(column)
        values = col.take(pa.array(rows)).to_pylist()
        file = self.raw.path.name
        cache_: dict = {}
        self.bad[rows] = True
        for r, v in zip(rows.tolist(), values, strict=True):
            if v not in cache_:
                cache_[v] = message(v)
            zh, en = cache_[v]
            self.problems.append((r, Problem(file, int(self.raw.lines[r]), column, v, zh, en)))

    def select(self, keep: np.ndarray) -> Checked:
        """The rows where ``keep`` is true (used by --skip-invalid)."""
        mask = pa.array(keep)
        index = np.nonzero(keep)[0]
        raw = RawTable(self.raw.feed, self.raw.path, self.raw.file_format, self.raw.encoding,
                       self.raw.table.filter(mask), self.raw.lines[keep], self.raw.warnings, self.raw.row_problems)
        extra = {k: (v[keep] if isinstance(v, np.ndarray) else v.filter(mask)) for k, v in self.extra.items()}
        remap = {old: new for new, old in enumerate(index.tolist())}
        problems = [(remap[r], p) for r, p in self.problems if r in remap]
        return Checked(self.feed, raw, {k: v.filter(mask) for k, v in self.canon.items()}, extra,
                       self.bad[keep], problems, self.notes)


def _failure_message(fn, value) -> tuple[str, str]:
    try:
        fn(value)
    except ValidationFailure as exc:
        err = exc.errors[0]
        return err.message_zh, err.message_en
    return "取值无效", "invalid value"


# --- column checks ------------------------------------------------------------------------------


def _check_text(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    # Undo the exporter's formula neutralisation: "'" before = + - @ (see exporter.neutralise).
    quoted = pc.match_substring_regex(arr, r"^'+[=+\-@]")
    arr = pc.if_else(quoted, pc.utf8_slice_codeunits(arr, 1), arr)
    too_long = _mask(pc.greater(pc.utf8_length(arr), c.max_length))
    if too_long.any():
        ck.add(np.nonzero(too_long)[0], c.name, f"长度超过{c.max_length}个字符",
               f"longer than {c.max_length} characters")
    return arr


def _check_phone(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    arr = _check_text(ck, c, arr)
    bad = ~_mask(pc.match_substring_regex(arr, r"^\+?[0-9][0-9 ()\-]{4,29}$")) & _mask(pc.is_valid(arr))
    if bad.any():
        ck.add(np.nonzero(bad)[0], c.name, "电话号码只能含数字、空格、括号、“-”和开头的“+”，5至30位",
               "a phone number has 5 to 30 digits, spaces, brackets, '-' and a leading '+'")
    return arr


def _check_enum(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    codes = [code for code, _zh, _en in c.choices]
    accepted = codes + [zh for _code, zh, _en in c.choices]
    target = codes + codes
    pos = pc.index_in(arr, value_set=pa.array(accepted))
    bad = _mask(pc.and_(pc.is_valid(arr), pc.is_null(pos)))
    if bad.any():
        listed = "、".join(f"{code}（{zh}）" for code, zh, _en in c.choices)
        ck.add(np.nonzero(bad)[0], c.name, f"取值应为以下之一：{listed}",
               f"must be one of {', '.join(codes)}")
    return pc.take(pa.array(target), pos)


_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"


def _date_problem(value) -> tuple[str, str]:
    if not re.match(_DATE_RE, str(value).strip()):
        return "日期格式应为YYYY-MM-DD", "a date is written YYYY-MM-DD"
    return "不是有效的日期（1900–2100年）", "not a real date (years 1900-2100)"


def _stamp_text(stamps: pa.Array) -> pa.Array:
    """``YYYY-MM-DD HH:MM:SS`` of timestamp[s] values (Arrow's cast; strftime is 30× slower)."""
    return pc.cast(stamps, pa.string())


def _check_date(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    shaped = _mask(pc.match_substring_regex(arr, _DATE_RE))
    parsed = pc.strptime(arr, format="%Y-%m-%d", unit="s", error_is_null=True)  # lenient: 02-30 → 03-02
    back = pc.utf8_slice_codeunits(_stamp_text(parsed), 0, 10)
    ok = shaped & _mask(pc.equal(back, arr))
    year = pc.fill_null(pc.year(parsed), 0).to_numpy(zero_copy_only=False)
    ok &= (year >= 1900) & (year <= 2100)
    present = _mask(pc.is_valid(arr))
    bad = present & ~ok
    if bad.any():
        ck.add_each(np.nonzero(bad)[0], c.name, _date_problem)
    return arr


_MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"


def _check_month(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    ok = _mask(pc.match_substring_regex(arr, _MONTH_RE))
    year = pc.cast(pc.utf8_slice_codeunits(pc.if_else(pa.array(ok), arr, "0000-00"), 0, 4), pa.int64())
    ok &= _mask(pc.greater_equal(year, 1900))
    bad = _mask(pc.is_valid(arr)) & ~ok
    if bad.any():
        ck.add(np.nonzero(bad)[0], c.name, "所属月份格式应为YYYY-MM（1900年以后）",
               "a month is written YYYY-MM (from 1900)")
    return arr


_PERIOD_RE = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"


def _check_period(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    ok = _mask(pc.match_substring_regex(arr, _PERIOD_RE))
    year = pc.cast(pc.utf8_slice_codeunits(pc.if_else(pa.array(ok), arr, "0000"), 0, 4), pa.int64())
    ok &= _mask(pc.greater_equal(year, 1900))
    bad = _mask(pc.is_valid(arr)) & ~ok
    if bad.any():
        ck.add_each(np.nonzero(bad)[0], c.name, lambda v: _failure_message(lambda x: parse_period(x, c.name), v))
    return arr


_DATETIME_RE = (r"^(?P<d>\d{4}-\d{2}-\d{2})[T ](?P<t>\d{2}:\d{2}(?::\d{2})?)(?P<f>\.\d{1,6})?"
                r"(?P<z>Z|[+-]\d{2}:?\d{2})?$")
_DST_END = datetime(1992, 1, 1, tzinfo=SHANGHAI)  # Asia/Shanghai kept summer time until 1991


def _python_datetime(value: str) -> datetime | None:
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def _check_datetime(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    """ISO 8601, Asia/Shanghai when no offset. Canonical text: local time with ``+08:00``."""
    parts = pc.extract_regex(arr, _DATETIME_RE)
    shaped = _mask(pc.is_valid(parts))
    d = pc.struct_field(parts, "d")
    t = pc.struct_field(parts, "t")
    t = pc.if_else(pc.equal(pc.utf8_length(t), 5), pc.binary_join_element_wise(t, ":00", ""), t)
    base = pc.binary_join_element_wise(d, t, "T")
    parsed = pc.strptime(base, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)  # lenient
    ok = shaped & _mask(pc.equal(_stamp_text(parsed), pc.binary_join_element_wise(d, t, " ")))
    frac_digits = pc.utf8_rpad(pc.utf8_slice_codeunits(pc.struct_field(parts, "f"), 1), 6, "0")
    frac_us = pc.fill_null(pc.cast(pc.if_else(pc.equal(frac_digits, "000000"), "0", frac_digits), pa.int64(),
                                   safe=False), 0).to_numpy(zero_copy_only=False)
    zone = pc.replace_substring(pc.struct_field(parts, "z"), ":", "")
    has_zone = _mask(pc.greater(pc.utf8_length(zone), 0))
    is_z = _mask(pc.equal(zone, "Z"))
    zone_digits = pc.if_else(pa.array(has_zone & ~is_z), zone, "+0000")
    sign = np.where(_mask(pc.starts_with(zone_digits, "-")), -1, 1)
    hh = pc.cast(pc.utf8_slice_codeunits(zone_digits, 1, 3), pa.int64()).to_numpy(zero_copy_only=False)
    mm = pc.cast(pc.utf8_slice_codeunits(zone_digits, 3, 5), pa.int64()).to_numpy(zero_copy_only=False)
    offset_s = np.where(has_zone, sign * (hh * 3600 + mm * 60), 8 * 3600)
    ok &= ~has_zone | ((hh <= 14) & (mm < 60))
    local_s = pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False)
    utc_us = (local_s - offset_s) * 1_000_000 + frac_us
    year = pc.fill_null(pc.year(parsed), 0).to_numpy(zero_copy_only=False)
    ok &= (year >= 1900) & (year <= 2100)
    present = _mask(pc.is_valid(arr))
    bad = present & ~ok
    if bad.any():
        ck.add(np.nonzero(bad)[0], c.name, "时间格式应为ISO 8601，如2025-03-01T10:30:00或2025-03-01 10:30:00+08:00",
               "a time is ISO 8601, e.g. 2025-03-01T10:30:00 or 2025-03-01 10:30:00+08:00")
    good = present & ok
    # Canonical text in Asia/Shanghai: the given local time when it is already +08:00 (the usual case),
    # else converted. Before 1992 the zone had summer time: those rows are done in Python.
    shanghai_s = utc_us // 1_000_000 + 8 * 3600
    early = good & (utc_us < int(_DST_END.timestamp()) * 1_000_000)
    local_text = pc.binary_join_element_wise(d, t, "T")
    converted = good & (offset_s != 8 * 3600)
    if converted.any():
        text = pc.replace_substring(_stamp_text(pa.array(np.where(good, shanghai_s, 0), pa.timestamp("s"))), " ", "T",
                                    max_replacements=1)
        local_text = pc.if_else(pa.array(converted), text, local_text)
    micro = frac_us
    with_frac = pc.binary_join_element_wise(local_text, pc.utf8_lpad(pc.cast(pa.array(micro), pa.string()), 6, "0"),
                                            ".")
    canon = pc.binary_join_element_wise(pc.if_else(pa.array(micro == 0), local_text, with_frac), "+08:00", "")
    if early.any():
        canon_list = canon.to_pylist()
        for i in np.nonzero(early)[0].tolist():
            moment = _python_datetime(arr[i].as_py())
            if moment is not None:
                canon_list[i] = moment.astimezone(SHANGHAI).isoformat()
        canon = pa.array(canon_list, pa.string())
    canon = pc.if_else(pa.array(good), canon, pa.scalar(None, pa.string()))
    ck.extra[f"{c.name}.utc_us"] = np.where(good, utc_us, 0)
    return canon


_MONEY_RE = r"^-?\d{1,16}(\.\d{1,2})?$"


def _decimal_storage(arr: pa.Array, precision: int, scale: int, ok: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """(decimal128 array, unscaled int64 values) of the valid entries (others 0)."""
    safe = pc.if_else(pa.array(ok), arr, "0")
    dec = pc.cast(safe, pa.decimal128(precision, scale))
    raw = np.frombuffer(dec.buffers()[1], dtype=np.int64)[dec.offset * 2: (dec.offset + len(dec)) * 2: 2]
    return dec, raw.copy()


def _check_money(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    ok = _mask(pc.match_substring_regex(arr, _MONEY_RE))
    present = _mask(pc.is_valid(arr))
    bad = present & ~ok
    if bad.any():
        ck.add_each(np.nonzero(bad)[0], c.name,
                    lambda v: _failure_message(lambda x: to_money(str(x), c.name), v))
    ok &= present
    dec, fen = _decimal_storage(arr, 18, 2, ok)
    if c.non_negative:
        negative = ok & (fen < 0)
        if negative.any():
            ck.add(np.nonzero(negative)[0], c.name, "金额不能为负数", "amount must not be negative")
    ck.extra[f"{c.name}.fen"] = np.where(ok, fen, 0)
    return pc.if_else(pa.array(ok), pc.cast(dec, pa.string()), pa.scalar(None, pa.string()))


_DECIMAL_RE = r"^[+-]?\d{1,12}(\.\d{1,8})?$"


def _decimal_problem(value) -> tuple[str, str]:
    text = str(value).strip()
    if "," in text or "，" in text:
        return "数值不能含千位分隔符", "a number must not contain thousands separators"
    if re.match(r"^[+-]?\d+\.\d{9,}$", text):
        return "数值最多8位小数", "a number has at most 8 decimals"
    if re.match(r"^[+-]?\d{13,}", text):
        return "数值整数部分最多12位", "a number has at most 12 digits before the decimal point"
    return "应为十进制数（不用科学计数法）", "must be a decimal number (no exponent)"


_NOT_CANONICAL = r"^\+|^-?0\d|\.\d*0$|\.$|^-0(\.0*)?$"


def canonical_decimal(arr: pa.Array) -> pa.Array:
    """Plain decimal text without sign '+', leading zeros, trailing fractional zeros; '-0' → '0'.

    Most values are already canonical; only the others go through the (slower) replacements.
    """
    todo = _mask(pc.match_substring_regex(arr, _NOT_CANONICAL))
    if not todo.any():
        return arr
    rows = pa.array(np.nonzero(todo)[0])
    out = pc.replace_substring_regex(arr.take(rows), r"^\+", "")
    out = pc.replace_substring_regex(out, r"^(-?)0+(\d)", r"\1\2")
    out = pc.replace_substring_regex(out, r"(\.\d*?)0+$", r"\1")
    out = pc.replace_substring_regex(out, r"\.$", "")
    out = pc.if_else(pc.equal(out, "-0"), "0", out)
    return pc.replace_with_mask(arr, pa.array(todo), out)


def canonical_decimal_text(value: Decimal) -> str:
    """The same canonical form for a stored Decimal (exporter)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _check_decimal(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    ok = _mask(pc.match_substring_regex(arr, _DECIMAL_RE))
    present = _mask(pc.is_valid(arr))
    bad = present & ~ok
    if bad.any():
        ck.add_each(np.nonzero(bad)[0], c.name, _decimal_problem)
    ok &= present
    canon = canonical_decimal(arr)
    if c.non_negative:
        negative = ok & _mask(pc.starts_with(canon, "-"))
        if negative.any():
            ck.add(np.nonzero(negative)[0], c.name, "不能为负数", "must not be negative")
    return pc.if_else(pa.array(ok), canon, pa.scalar(None, pa.string()))


def _check_rate(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    ok = _mask(pc.match_substring_regex(arr, r"^\d(\.\d{1,6})?$"))
    _dec, micro = _decimal_storage(arr, 9, 6, ok)
    ok &= micro <= 1_000_000
    present = _mask(pc.is_valid(arr))
    bad = present & ~ok
    if bad.any():
        ck.add(np.nonzero(bad)[0], c.name, "比率应为0到1之间的小数，最多6位小数（如0.13）",
               "a rate is a decimal from 0 to 1 with at most 6 decimals (e.g. 0.13)")
    ok &= present
    ck.extra[f"{c.name}.micro"] = np.where(ok, micro, 0)
    return pc.if_else(pa.array(ok), canonical_decimal(arr), pa.scalar(None, pa.string()))


def _check_integer(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    ok = _mask(pc.match_substring_regex(arr, r"^[+-]?\d{1,15}$"))
    present = _mask(pc.is_valid(arr))
    bad = present & ~ok
    if bad.any():
        ck.add(np.nonzero(bad)[0], c.name, "应为整数", "must be a whole number")
    ok &= present
    values = pc.cast(pc.if_else(pa.array(ok), arr, "0"), pa.int64()).to_numpy(zero_copy_only=False)
    if c.non_negative:
        negative = ok & (values < 0)
        if negative.any():
            ck.add(np.nonzero(negative)[0], c.name, "不能为负数", "must not be negative")
    ck.extra[f"{c.name}.int"] = values
    return pc.if_else(pa.array(ok), pc.cast(pa.array(values), pa.string()), pa.scalar(None, pa.string()))


def _check_bool(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    low = pc.utf8_lower(arr)
    truthy = _mask(pc.is_in(low, value_set=pa.array(["true", "是"])))
    falsy = _mask(pc.is_in(low, value_set=pa.array(["false", "否"])))
    bad = _mask(pc.is_valid(arr)) & ~truthy & ~falsy
    if bad.any():
        ck.add(np.nonzero(bad)[0], c.name, "应为true或false（是/否）", "must be true or false")
    return pc.if_else(pa.array(truthy), "true", pc.if_else(pa.array(falsy), "false", pa.scalar(None, pa.string())))


def _check_uscc(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    arr = _normalise_identifier(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    ok = uscc_fast(pc.fill_null(arr, ""))
    bad = _mask(pc.is_valid(arr)) & ~ok
    if bad.any():
        ck.add_each(np.nonzero(bad)[0], c.name, lambda v: _failure_message(lambda x: ids.parse_uscc(x, c.name), v))
    ck.extra[f"{c.name}.kind"] = np.where(ok, "uscc", "")
    ck.extra[f"{c.name}.personal"] = _full(len(arr), False)
    return pc.if_else(pa.array(ok), arr, pa.scalar(None, pa.string()))


def _check_id_number(ck: Checked, c: Column, arr: pa.Array, today: date) -> pa.Array:
    arr = _normalise_identifier(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    present = _mask(pc.is_valid(arr))
    ok = id_fast(pc.fill_null(arr, ""), today)
    was15 = _full(len(arr), False)
    slow = np.nonzero(present & ~ok)[0]
    canon = arr
    if slow.size:
        values = arr.take(pa.array(slow)).to_pylist()
        replaced: dict[int, str] = {}
        bad_rows: list[int] = []
        messages: dict[str, tuple[str, str]] = {}
        for r, v in zip(slow.tolist(), values, strict=True):
            try:
                parsed = ids.parse_id_number(v, c.name, today=today)
            except ValidationFailure as exc:
                bad_rows.append(r)
                messages[v] = (exc.errors[0].message_zh, exc.errors[0].message_en)
                continue
            replaced[r] = parsed.number
            was15[r] = parsed.converted_from is not None
            ok[r] = True
        if bad_rows:
            ck.add_each(np.asarray(bad_rows), c.name, lambda v: messages.get(ids.normalize(v), messages.get(v)) or
                        _failure_message(lambda x: ids.parse_id_number(x, c.name, today=today), v))
        if replaced:
            values_all = arr.to_pylist()
            for r, number in replaced.items():
                values_all[r] = number
            canon = pa.array(values_all, pa.string())
    ck.extra[f"{c.name}.was15"] = was15
    return pc.if_else(pa.array(ok), canon, pa.scalar(None, pa.string()))


def _identifier_personal(result: ids.Classification) -> bool:
    if result.kind == ids.ID_KIND:
        return True
    if result.kind == ids.LEGACY_KIND and result.parsed is not None:
        return ids.is_valid_id_number(result.parsed.base)
    return False


def _classification_message(value: str, field_name: str) -> tuple[str, str]:
    result = ids.classify(value)
    parser = {ids.USCC_KIND: ids.parse_uscc, ids.ID_KIND: ids.parse_id_number,
              ids.LEGACY_KIND: ids.parse_legacy_taxpayer_no}.get(result.kind)
    if parser is not None:
        try:
            parser(value, field_name)
        except ValidationFailure as exc:
            return (f"不是有效的纳税人识别号：{exc.errors[0].message_zh}",
                    f"not a valid taxpayer identifier: {exc.errors[0].message_en}")
    return (f"不是有效的纳税人识别号：{result.detail}",
            f"not a valid taxpayer identifier (USCC, ID number or legacy taxpayer number): length "
            f"{len(result.value)}")


def _check_taxpayer_id(ck: Checked, c: Column, arr: pa.Array, today: date) -> pa.Array:
    arr = _normalise_identifier(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    filled = pc.fill_null(arr, "")
    present = _mask(pc.is_valid(arr))
    is_uscc = uscc_fast(filled)
    is_id = id_fast(filled, today) & ~is_uscc
    kind = np.where(is_uscc, "uscc", np.where(is_id, "id_number", "")).astype(object)
    personal = is_id.copy()
    ok = is_uscc | is_id
    slow = present & ~ok
    canon = arr
    if slow.any():
        rows = np.nonzero(slow)[0]
        values = arr.take(pa.array(rows)).to_pylist()
        verdicts: dict[str, ids.Classification] = {}
        for v in set(values):
            verdicts[v] = ids.classify(v)
        replaced: dict[int, str] = {}
        bad_rows = []
        for r, v in zip(rows.tolist(), values, strict=True):
            result = verdicts[v]
            if not result.valid:
                bad_rows.append(r)
                continue
            ok[r] = True
            kind[r] = result.kind
            personal[r] = _identifier_personal(result)
            number = result.parsed.number if result.kind == ids.ID_KIND else result.value
            if number != v:
                replaced[r] = number
        if bad_rows:
            ck.add_each(np.asarray(bad_rows), c.name, lambda v: _classification_message(v, c.name))
        if replaced:
            values_all = arr.to_pylist()
            for r, number in replaced.items():
                values_all[r] = number
            canon = pa.array(values_all, pa.string())
    ck.extra[f"{c.name}.kind"] = np.where(ok, kind, "")
    ck.extra[f"{c.name}.personal"] = personal & ok
    return pc.if_else(pa.array(ok), canon, pa.scalar(None, pa.string()))


def _invoice_problem(value, field_name: str) -> tuple[str, str]:
    text = ids.normalize(value)
    if len(text) == 20 and text.isdigit():
        return _failure_message(lambda x: ids.parse_invoice_number(x, field_name), text)
    return ("发票号码应为20位数电票号码，或“发票代码-发票号码”（10至12位代码-8位号码）",
            "an invoice number is a 20-digit 数电票 number or a legacy code-number (10-12 digits, '-', 8 digits)")


def _check_invoice_no(ck: Checked, c: Column, arr: pa.Array) -> pa.Array:
    arr = _normalise_identifier(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    ok, _legacy = invoice_fast(pc.fill_null(arr, ""))
    bad = _mask(pc.is_valid(arr)) & ~ok
    if bad.any():
        ck.add_each(np.nonzero(bad)[0], c.name, lambda v: _invoice_problem(v, c.name))
    return pc.if_else(pa.array(ok), arr, pa.scalar(None, pa.string()))


def _dispatch(ck: Checked, c: Column, arr: pa.Array, today: date) -> pa.Array:
    kind = c.kind
    if kind == "text":
        return _check_text(ck, c, arr)
    if kind == "phone":
        return _check_phone(ck, c, arr)
    if kind == "enum":
        return _check_enum(ck, c, arr)
    if kind == "date":
        return _check_date(ck, c, arr)
    if kind == "datetime":
        return _check_datetime(ck, c, arr)
    if kind == "month":
        return _check_month(ck, c, arr)
    if kind == "period":
        return _check_period(ck, c, arr)
    if kind == "money":
        return _check_money(ck, c, arr)
    if kind == "decimal":
        return _check_decimal(ck, c, arr)
    if kind == "rate":
        return _check_rate(ck, c, arr)
    if kind == "integer":
        return _check_integer(ck, c, arr)
    if kind == "bool":
        return _check_bool(ck, c, arr)
    if kind == "uscc":
        return _check_uscc(ck, c, arr)
    if kind == "id_number":
        return _check_id_number(ck, c, arr, today)
    if kind == "taxpayer_id":
        return _check_taxpayer_id(ck, c, arr, today)
    if kind == "invoice_no":
        return _check_invoice_no(ck, c, arr)
    raise ValueError(kind)  # pragma: no cover - the feed table names only the kinds above


def _required(ck: Checked, c: Column, missing: np.ndarray) -> None:
    if not c.nullable and missing.any():
        ck.add(np.nonzero(missing)[0], c.name, f"“{c.name}”（{c.label_zh}）不能为空", f"{c.name} is required")


# Kinds whose values are mostly distinct: checked row by row. The others are checked once per distinct
# value (a column of 3 million invoice lines has a few hundred goods codes or tax rates).
_ROWWISE = ("money", "datetime")


def _by_dictionary(ck: Checked, c: Column, encoded: pa.DictionaryArray, today: date) -> pa.Array:
    values = _canon_text(encoded.dictionary)
    idx = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    has = idx >= 0
    safe = np.where(has, idx, 0)
    entry_null = ~_mask(pc.is_valid(values)) if len(values) else np.zeros(0, bool)
    row_null = ~has | (entry_null[safe] if len(values) else True)
    _required(ck, c, row_null)
    raw = ck.raw
    sub_raw = RawTable(raw.feed, raw.path, raw.file_format, raw.encoding, pa.table({c.name: encoded.dictionary}),
                       np.arange(len(values), dtype=np.int64))
    sub = Checked(ck.feed, sub_raw, {}, {}, np.zeros(len(values), dtype=bool), [])
    out = _dispatch(sub, c, values, today)
    for key, v in sub.extra.items():
        expanded = v[safe] if len(v) else np.zeros(len(idx), dtype=getattr(v, "dtype", np.int64))
        if expanded.dtype == bool:
            expanded = expanded & has
        elif expanded.dtype == object or expanded.dtype.kind == "U":
            expanded = np.where(has, expanded, "")
        else:
            expanded = np.where(has, expanded, 0)
        ck.extra[key] = expanded
    if sub.problems:
        by_entry: dict[int, list[Problem]] = {}
        for entry, problem in sub.problems:
            by_entry.setdefault(entry, []).append(problem)
        rows = np.nonzero(has & sub.bad[safe])[0]
        if rows.size:
            ck.bad[rows] = True
            raw_values = raw.table.column(c.name).take(pa.array(rows)).to_pylist()
            file = raw.path.name
            for r, v in zip(rows.tolist(), raw_values, strict=True):
                for problem in by_entry.get(int(idx[r]), ()):
                    ck.problems.append((r, Problem(file, int(raw.lines[r]), problem.column, v, problem.message_zh,
                                                   problem.message_en)))
    return pc.take(out, encoded.indices) if len(values) else pa.nulls(len(idx), pa.string())


def _few_distinct(arr: pa.Array, sample: int = 20_000) -> bool:
    """Whether a column looks worth checking per distinct value, judged on an evenly spread sample."""
    n = len(arr)
    if n <= sample:
        return True
    step = n // sample
    probe = arr.take(pa.array(np.arange(0, n, step)[:sample]))
    return len(pc.unique(probe)) <= len(probe) // 2


def check_columns(raw: RawTable, today: date | None = None) -> Checked:
    feed = raw.feed
    today = today or datetime.now(SHANGHAI).date()
    n = raw.num_rows
    ck = Checked(feed, raw, {}, {}, np.zeros(n, dtype=bool), [])
    for c in feed.columns:
        if c.name in raw.table.column_names:
            source = raw.table.column(c.name).combine_chunks()
        else:
            source = _null_array(n)
        if n and c.kind not in _ROWWISE and not (c.kind == "invoice_no" and c.key) and _few_distinct(source):
            encoded = pc.dictionary_encode(source)
            if len(encoded.dictionary) <= max(n // 2, 1):
                ck.canon[c.name] = _by_dictionary(ck, c, encoded, today)
                continue
        arr = _canon_text(source) if n else pa.array([], pa.string())
        _required(ck, c, ~_mask(pc.is_valid(arr)) if n else np.zeros(0, bool))
        ck.canon[c.name] = _dispatch(ck, c, arr, today)
    from .rules import apply_rules

    apply_rules(ck)
    return ck
