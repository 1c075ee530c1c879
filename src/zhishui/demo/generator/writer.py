"""Writing the feed directory of EXCHANGE.md: one UTF-8 CSV per feed with the canonical headers,
rows in key order, money as decimal strings with exactly two decimals (from integer fen, no floats),
plus ``manifest.json`` (rows and SHA-256 per feed) and the ``truth/`` files.

Values are turned into strings with pyarrow compute kernels, a chunk of rows at a time, and written
with ``pyarrow.csv`` without quoting: no generated value contains a comma, quote or line break, and
the writer refuses one rather than write a malformed file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from zhishui.core.crypto import sha256_file

CHUNK = 500_000
_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65_536)


# --- vectorised formatting --------------------------------------------------------------------

def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _mask(arr: pa.Array, null: np.ndarray | None) -> pa.Array:
    if null is None or not null.any():
        return arr
    return pc.if_else(pa.array(null), pa.nulls(len(arr), pa.string()), arr)


def fixed(values: np.ndarray, decimals: int, *, trim: bool = False, null: np.ndarray | None = None) -> pa.Array:
    """Integers scaled by 10**decimals as decimal strings: fixed(12345, 2) -> "123.45".

    The integers become an Arrow decimal128 array (the same 16-byte words, sign-extended) whose
    cast to string is exact, so no float is ever involved."""
    v = np.asarray(values, dtype=np.int64)
    if decimals == 0:
        return _mask(pa.array(v).cast(pa.string()), null)
    words = np.empty((len(v), 2), dtype=np.int64)
    words[:, 0] = v
    words[:, 1] = v >> 63
    out = pa.Array.from_buffers(pa.decimal128(38, decimals), len(v), [None, pa.py_buffer(words)]).cast(pa.string())
    if trim:
        out = pc.utf8_rtrim(pc.utf8_rtrim(out, characters="0"), characters=".")
    return _mask(out, null)


def money(fen: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return fixed(fen, 2, null=null)


def dates(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    d = np.asarray(days, dtype=np.int64)
    arr = pa.array(np.where(d < 0, 0, d).astype(np.int32), type=pa.int32()).cast(pa.date32()).cast(pa.string())
    return _mask(arr, null if null is not None else d < 0)


def _two(values: np.ndarray) -> pa.Array:
    return pc.utf8_lpad(pa.array(values).cast(pa.string()), width=2, padding="0")


def datetimes(days: np.ndarray, secs: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """ISO 8601 with the Asia/Shanghai offset: 2026-03-05T10:21:09+08:00."""
    d = np.asarray(days, dtype=np.int64)
    s = np.asarray(secs, dtype=np.int64)
    day = pa.array(np.where(d < 0, 0, d).astype(np.int32), type=pa.int32()).cast(pa.date32()).cast(pa.string())
    out = _join(day, pa.scalar("T"), _two(s // 3600), pa.scalar(":"), _two(s // 60 % 60), pa.scalar(":"),
                _two(s % 60), pa.scalar("+08:00"))
    return _mask(out, null if null is not None else d < 0)


def table(values) -> pa.Array:
    """A lookup table of strings (ids, names, codes) for ``take``."""
    return pa.array(np.asarray(values).astype(str).tolist(), type=pa.string())


def take(values: pa.Array, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """``values[idx]`` in Arrow (no Python strings are built); ``null`` blanks rows."""
    i = np.asarray(idx, dtype=np.int64)
    out = pc.take(values, pa.array(np.where(i < 0, 0, i)))
    return _mask(out, null)


def integers(values: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())


def padded(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(integers(values), width=width, padding="0")


# --- files ------------------------------------------------------------------------------------------

class FeedWriter:
    """Writes one CSV a chunk at a time; returns its row count and SHA-256."""

    def __init__(self, path: Path, header: list[str]):
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.header = header
        self.rows = 0
        self.fh = open(self.tmp, "wb")
        self.fh.write((",".join(header) + "\n").encode())

    def write(self, columns: list[pa.Array]) -> None:
        table = pa.Table.from_arrays(columns, names=self.header)
        pacsv.write_csv(table, self.fh, write_options=_OPTIONS)
        self.rows += table.num_rows

    def close(self) -> dict:
        self.fh.close()
        os.replace(self.tmp, self.path)
        return {"rows": self.rows, "sha256": sha256_file(self.path)}




def write_feed(path: Path, header: list[str], n: int, build: Callable[[np.ndarray], list[pa.Array]],
               order: np.ndarray | None = None, chunk: int = CHUNK) -> dict:
    """Write rows ``order`` (default 0..n-1) in chunks; ``build(idx)`` returns the columns."""
    writer = FeedWriter(path, header)
    order = np.arange(n) if order is None else order
    for s in range(0, n, chunk):
        writer.write(build(order[s:s + chunk]))
    return writer.close()


def write_rows(path: Path, header: list[str], rows: list[tuple]) -> dict:
    """Small files (truth): plain rows of strings."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for row in rows:
            if any(("," in v or '"' in v or "\n" in v) for v in row):
                raise ValueError(f"value with a structural character in {path.name}: {row}")
            fh.write(",".join(row) + "\n")
    os.replace(tmp, path)
    return {"rows": len(rows), "sha256": sha256_file(path)}


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
