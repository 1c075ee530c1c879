"""Idempotency keys for the issuing endpoints.

A request carrying ``Idempotency-Key``:

* the same key with the same body returns the stored original response and creates nothing;
* the same key with a different body is refused (422, ``idempotency_key_reused``);
* while a request with that key is still running, another one gets 409 (``InFlight``).

The record is inserted in the same transaction as the invoice, so a crash either leaves both or
neither. "In flight" is detected without waiting: on PostgreSQL with a transaction-scoped advisory
lock taken at the start of the issuing transaction; on SQLite (one machine by construction) with a
byte-range lock on a lock file beside the database plus an in-process set for threads. Both locks
vanish with the process, so after a crash the retry proceeds at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db import connection

from zhishui.core.crypto import sm3_hex
from zhishui.core.errors import ValidationFailure

from .models import IdempotencyRecord

MAX_KEY = 128


class InFlight(Exception):
    """A request with the same idempotency key is still being processed."""


def body_hash(payload: object) -> str:
    return sm3_hex(json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                              default=str).encode())


def check_key(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if len(key) > MAX_KEY or not key.isprintable():
        raise ValidationFailure("Idempotency-Key", f"幂等键最长{MAX_KEY}个可打印字符",
                                f"the idempotency key is at most {MAX_KEY} printable characters", key[:40])
    return key


def _token(scope: str, key: str) -> str:
    return sm3_hex(f"{scope}\x00{key}".encode())


# --- SQLite: process-wide guard ------------------------------------------------------------------

_held: set[str] = set()
_held_lock = threading.Lock()
_fd: dict[str, tuple[int, int]] = {}  # lock path → (pid, fd)


def _lock_path(kind: str = "idempotency") -> Path:
    return _lock_path_of(str(connection.settings_dict.get("NAME") or ""), kind)


@lru_cache(maxsize=16)
def _lock_path_of(name: str, kind: str) -> Path:
    if not name or name == ":memory:" or "mode=memory" in name:
        return Path(tempfile.gettempdir()) / f"zhishui-{kind}-{os.getuid()}.lock"
    return Path(name).with_name(Path(name).name + f".{kind}.lock")


def _lock_fd(path: Path) -> int:
    key = str(path)
    pid = os.getpid()
    entry = _fd.get(key)
    if entry is None or entry[0] != pid:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        _fd[key] = (pid, fd)
        return fd
    return entry[1]


@contextmanager
def guard(scope: str, key: str | None) -> Iterator[None]:
    """Outside the transaction: on SQLite, refuse at once while the same key runs elsewhere."""
    if not key or connection.vendor != "sqlite":
        yield
        return
    token = _token(scope, key)
    with _held_lock:
        if token in _held:
            raise InFlight
        _held.add(token)
    try:
        fd = _lock_fd(_lock_path())
        offset = int(token[:10], 16)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
        except OSError as exc:
            raise InFlight from exc
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)
    finally:
        with _held_lock:
            _held.discard(token)


_writer_thread_lock = threading.Lock()


@contextmanager
def sqlite_writer() -> Iterator[None]:
    """On SQLite, queue this process's issuing transactions on a kernel lock before BEGIN IMMEDIATE.

    SQLite's own busy handler waits by sleeping in growing steps (1 … 100 ms) and is not fair, so two
    server processes issuing at once starve each other; a blocking lock on a file beside the database
    wakes the next writer as soon as the lock is released. No effect on PostgreSQL, whose row locks queue
    properly. The lock vanishes with the process.
    """
    if connection.vendor != "sqlite":
        yield
        return
    path = _lock_path("writer")
    with _writer_thread_lock:
        fd = _lock_fd(path)
        fcntl.lockf(fd, fcntl.LOCK_EX, 1, 0)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, 0)


RECORD_SQL = (f"SELECT request_hash, status_code, response FROM {IdempotencyRecord._meta.db_table} "  # noqa: S608 - names from the models, values bound
              "WHERE scope = %s AND key = %s")


def lookup(scope: str, key: str | None, request_hash: str) -> Stored | None:
    """Inside the transaction: the committed record to replay, or ``None`` to proceed."""
    if not key:
        return None
    if connection.vendor == "postgresql":
        lock_id = int.from_bytes(bytes.fromhex(_token(scope, key)[:16]), "big", signed=True)
        with connection.cursor() as cur:
            # Two statements in one round trip, in this order: the second reads with a snapshot taken
            # after the lock, so a request with the same key that committed meanwhile is seen.
            cur.execute(f"SELECT pg_try_advisory_xact_lock(%s); {RECORD_SQL}", [lock_id, scope, key])
            if not cur.fetchone()[0]:
                raise InFlight
            cur.nextset()
            return _stored(cur.fetchone(), key, request_hash)
    return find(scope, key, request_hash)


@dataclass(frozen=True)
class Stored:
    status_code: int
    response: dict


def find(scope: str, key: str | None, request_hash: str) -> Stored | None:
    """The committed record for (scope, key), refusing one made with a different body."""
    if not key:
        return None
    with connection.cursor() as cur:
        cur.execute(RECORD_SQL, [scope, key])
        return _stored(cur.fetchone(), key, request_hash)


def _stored(row, key: str, request_hash: str) -> Stored | None:
    if row is None:
        return None
    if row[0] != request_hash:
        raise ValidationFailure("Idempotency-Key", "该幂等键已用于内容不同的请求",
                                "this idempotency key was used with a different request body", key[:40],
                                code="idempotency_key_reused")
    return Stored(row[1], row[2] if isinstance(row[2], dict) else json.loads(row[2]))


def store(scope: str, key: str | None, request_hash: str, status_code: int, response: dict, tx=None) -> None:
    """Record the response under the key, in the issuing transaction (with ``tx``: among its writes)."""
    if key:
        from django.utils import timezone

        if tx is not None:
            tx.insert_idempotency(scope, key, request_hash, status_code, response, timezone.now())
            return
        from .store import insert

        insert(IdempotencyRecord, ("scope", "key", "request_hash", "status_code", "response", "created_at"),
               [(scope, key, request_hash, status_code, response, timezone.now())])
