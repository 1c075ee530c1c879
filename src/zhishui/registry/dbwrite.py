"""Bulk writes for the importer: the fastest path each database offers, inside Django's transaction.

- SQLite: ``executemany`` of one prepared INSERT on the connection Django holds (so the rows are
  part of the surrounding ``transaction.atomic``), fed in slices converted from Arrow.
- PostgreSQL: ``COPY … FROM STDIN (FORMAT csv)`` of CSV that Arrow writes in C++.

Values arrive as Arrow arrays already in the database's text forms (dates ``YYYY-MM-DD``, UTC
instants, decimals as text); see ``datetime_text``. Primary keys are assigned here, under the import
lock, so the importer knows every new row's id without reading it back.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from django.db import connection

SQLITE_SLICE = 50_000
PG_SLICE = 250_000
IN_CHUNK = 900  # parameters per IN (...) lookup


def vendor() -> str:
    return connection.vendor


def tune_for_bulk() -> None:
    """A bigger page cache for this connection while loading (SQLite); PostgreSQL needs nothing."""
    if vendor() == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-262144")  # 256 MiB


def lock_imports() -> None:
    """Serialise imports (ids are assigned from max(id)); SQLite's IMMEDIATE transactions already do."""
    if vendor() == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [7_410_303])


def allocate_ids(table: str, count: int) -> int:
    """First id of a block of ``count`` new ids (call inside the import transaction)."""
    with connection.cursor() as cur:
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - table names are ours
        start = int(cur.fetchone()[0]) + 1
    return start


def finish_ids(table: str) -> None:
    """Move PostgreSQL's sequence past the ids assigned by hand."""
    if vendor() == "postgresql" and table:
        with connection.cursor() as cur:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                        f'GREATEST((SELECT COALESCE(MAX(id), 0) FROM "{table}"), 1))')


def datetime_text(utc_us: np.ndarray, valid: np.ndarray) -> pa.Array:
    """UTC instants as the database stores them: SQLite ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (Django's
    form), PostgreSQL the same with ``+00``."""
    whole = pc.cast(pa.array(np.where(valid, utc_us // 1_000_000, 0), pa.timestamp("s")), pa.string())
    micro = np.where(valid, utc_us % 1_000_000, 0)
    if micro.any():
        fine = pc.cast(pa.array(np.where(valid, utc_us, 0), pa.timestamp("us")), pa.string())
        whole = pc.if_else(pa.array(micro == 0), whole, fine)
    if vendor() == "postgresql":
        whole = pc.binary_join_element_wise(whole, "+00", "")
    return pc.if_else(pa.array(valid), whole, pa.scalar(None, pa.string()))


def _as_arrow(values) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            return pa.array(values.tolist())
        return pa.array(values)
    return pa.array(list(values))


def _python_values(arr: pa.Array) -> list:
    """Python values of an Arrow slice; numbers without nulls go through NumPy (4× faster)."""
    if (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)) and arr.null_count == 0:
        return arr.to_numpy().tolist()
    return arr.to_pylist()


def _column_values(arr: pa.Array) -> list | pa.Array:
    """A whole text column with few distinct values as one Python list sharing its str objects
    (a fancy index over the distinct values), else the Arrow array for slice-wise conversion."""
    if pa.types.is_string(arr.type) and len(arr) > 1000:
        encoded = pc.dictionary_encode(arr)
        if len(encoded.dictionary) <= len(arr) // 4:
            distinct = np.array([*encoded.dictionary.to_pylist(), None], dtype=object)
            idx = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)
            return distinct[idx].tolist()
    return arr


def sqlite_number(unscaled: np.ndarray, scale: int, valid: np.ndarray, text: pa.Array) -> pa.Array:
    """The value SQLite stores for a decimal (NUMERIC affinity turns the text "100.50" into the REAL
    100.5, "100.00" into the INTEGER 100): handing it the number directly spares SQLite the parsing.
    Exact, because unscaled / 10^scale is correctly rounded when |unscaled| < 2^53; otherwise, and on
    PostgreSQL, the text is passed."""
    if vendor() != "sqlite" or (np.abs(unscaled[valid]) >= 2 ** 53).any():
        return text
    return pa.array(np.where(valid, unscaled, 0) / 10 ** scale, pa.float64(), mask=~valid)


def insert(table: str, columns: Sequence[str], arrays: Sequence, *, sqlite_slice: int = SQLITE_SLICE) -> int:
    """Insert the rows given column-wise. Returns the number of rows."""
    arrays = [_as_arrow(a) for a in arrays]
    n = len(arrays[0]) if arrays else 0
    if n == 0:
        return 0
    cols = ", ".join(f'"{c}"' for c in columns)
    if vendor() == "postgresql":
        copy_table(table, columns, pa.table(dict(zip(columns, arrays, strict=True))))
    else:
        raw = connection.connection
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608
        columns_py = [_column_values(a) for a in arrays]
        for start in range(0, n, sqlite_slice):
            piece = [c[start:start + sqlite_slice] if isinstance(c, list)
                     else _python_values(c.slice(start, sqlite_slice)) for c in columns_py]
            raw.executemany(sql, zip(*piece, strict=True))
    return n


def copy_table(table: str, columns: Sequence[str], data: pa.Table) -> None:
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        pg = cur.cursor
        for start in range(0, data.num_rows, PG_SLICE):
            sink = io.BytesIO()
            pcsv.write_csv(data.slice(start, PG_SLICE), sink,
                           pcsv.WriteOptions(include_header=False, quoting_style="needed"))
            with pg.copy(f'COPY "{table}" ({cols}) FROM STDIN (FORMAT csv)') as copy:
                copy.write(sink.getbuffer())


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY of Python rows (the benchmark's bare-insert baseline on PostgreSQL)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur, cur.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def update(table: str, columns: Sequence[str], arrays: Sequence, ids: np.ndarray) -> int:
    """``UPDATE table SET columns… , version = version + 1 WHERE id = …`` for each row."""
    arrays = [_as_arrow(a) for a in arrays]
    n = len(ids)
    if n == 0:
        return 0
    sets = ", ".join(f'"{c}" = %s' for c in columns)
    sql = f'UPDATE "{table}" SET {sets}, "version" = "version" + 1 WHERE "id" = %s'  # noqa: S608
    id_list = [int(i) for i in ids]
    with connection.cursor() as cur:
        for start in range(0, n, SQLITE_SLICE):
            piece = [a.slice(start, SQLITE_SLICE).to_pylist() for a in arrays]
            cur.executemany(sql, [(*row, i) for row, i in zip(zip(*piece, strict=True),
                                                              id_list[start:start + SQLITE_SLICE], strict=True)])
    return n


def select_in(sql_head: str, column: str, values: list, extra_where: str = "") -> list[tuple]:
    """Rows of ``sql_head WHERE column IN (…)``, in chunks."""
    out: list[tuple] = []
    with connection.cursor() as cur:
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start:start + IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(f"{sql_head} WHERE {column} IN ({marks}){extra_where}", chunk)
            out.extend(cur.fetchall())
    return out


def fetch_all(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchall()


def count(table: str) -> int:
    with connection.cursor() as cur:
        cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
        return int(cur.fetchone()[0])


def any_rows(table: str) -> bool:
    with connection.cursor() as cur:
        cur.execute(f'SELECT 1 FROM "{table}" LIMIT 1')  # noqa: S608
        return cur.fetchone() is not None
