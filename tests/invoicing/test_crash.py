"""Crash safety: a child process issuing in a loop is SIGKILLed at random moments and at named fault
points; afterwards the numbers are contiguous, every acknowledged invoice exists, replays with the same
idempotency key return the original invoice, and the ledger verifies. Runs on the database the suite
uses (SQLite: a file database of its own; PostgreSQL: a database of its own on the same server)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import on_postgres
from zhishui.invoicing.faults import POINTS

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_child.py")
PY = sys.executable


class CrashDatabase:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHISHUI_", "DJANGO_"))}
        self.env.update({"ZHISHUI_VAR_DIR": str(tmp / "var"), "ZHISHUI_SECRET_KEY": "crash-test-secret-key-" + "x" * 30,
                         "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "DJANGO_SETTINGS_MODULE": "zhishui.settings"})
        self.pg_name = None
        if on_postgres():
            import psycopg

            self.pg_name = f"zs_crash_{uuid.uuid4().hex[:10]}"
            base = os.environ["ZHISHUI_TEST_DATABASE_URL"]
            self.admin = base
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {self.pg_name}")
            self.env["ZHISHUI_DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + self.pg_name
        self.zhishui("migrate", "--verbosity", "0")

    def zhishui(self, *args, check=True) -> subprocess.CompletedProcess:
        return subprocess.run([PY, "-m", "zhishui", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              check=check, timeout=300)

    def child(self, ack: Path, first: int, count: int, fault: str = "", prefix: str = "k") -> subprocess.Popen:
        env = dict(self.env, ZHISHUI_FAULT_POINT=fault) if fault else self.env
        return subprocess.Popen([PY, str(CHILD), str(ack), str(first), str(count), prefix], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def rows(self, sql: str) -> list[tuple]:
        if self.pg_name:
            import psycopg

            with psycopg.connect(self.env["ZHISHUI_DATABASE_URL"]) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.tmp / "var" / "zhishui.sqlite3") as conn:
            return conn.execute(sql).fetchall()

    def drop(self) -> None:
        if self.pg_name:
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)")


@pytest.fixture(scope="module")
def crash_db(tmp_path_factory):
    db = CrashDatabase(tmp_path_factory.mktemp("crash"))
    yield db
    db.drop()


def acknowledged(ack: Path) -> dict[int, str]:
    if not ack.exists():
        return {}
    out = {}
    for line in ack.read_text().splitlines():
        i, number = line.split()
        out[int(i)] = number
    return out


def check_invariants(db: CrashDatabase, ack: Path, ledger: bool = False) -> int:
    seqs = [s for (s,) in db.rows("SELECT seq FROM invoicing_invoice ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1)), "numbers have a gap or a duplicate"
    heads = db.rows("SELECT last_seq FROM invoicing_invoiceseries")
    assert heads == [(len(seqs),)] or (not seqs and heads in ([], [(0,)]))
    numbers = {n for (n,) in db.rows("SELECT number FROM invoicing_invoice")}
    acks = acknowledged(ack)
    assert set(acks.values()) <= numbers, "an acknowledged invoice is missing"
    keys = dict(db.rows("SELECT key, response FROM invoicing_idempotencyrecord"))
    assert len(keys) == len(numbers), "an invoice without its idempotency record, or the reverse"
    for i, number in acks.items():
        response = keys[f"k-{i}"]
        assert (number in response) if isinstance(response, str) else response["number"] == number
    lines = db.rows("SELECT COUNT(*) FROM invoicing_invoiceline")[0][0]
    states = db.rows("SELECT COUNT(*) FROM invoicing_invoicestate")[0][0]
    assert lines == states == len(numbers), "an invoice without its lines or state"
    if ledger:
        result = db.zhishui("invoice", "verify-ledger", check=False)
        assert result.returncode == 0, result.stdout + result.stderr
    return len(numbers)


def _lines(ack: Path) -> int:
    """Complete acknowledgement lines so far (safe to call while the child writes)."""
    return ack.read_bytes().count(b"\n") if ack.exists() else 0


def resume_point(ack: Path) -> int:
    acks = acknowledged(ack)
    return max(acks) + 1 if acks else 0


@pytest.mark.parametrize("point", POINTS)
def test_named_fault_points(crash_db, tmp_path, point):
    ack = tmp_path / "ack.txt"
    start = {p: 1000 * (i + 1) for i, p in enumerate(POINTS)}[point]
    ack.write_text("")
    before = crash_db.rows("SELECT COUNT(*) FROM invoicing_invoice")[0][0]
    proc = crash_db.child(ack, start, 10, fault=f"{point}@3")
    assert proc.wait(timeout=120) == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
    assert sorted(acknowledged(ack)) == [start, start + 1]
    after = check_invariants(crash_db, ack)
    committed_third = after - before == 3
    assert committed_third == (point == "after_commit")  # only then did the third one commit, unacknowledged
    # The client retries the unacknowledged request with the same key, then carries on.
    proc = crash_db.child(ack, start + 2, 3)
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()[-2000:]
    final = check_invariants(crash_db, ack, ledger=True)
    assert final - before == 5  # the replay after a committed crash created nothing new
    assert len(set(acknowledged(ack).values())) == 5


def test_random_kills(crash_db, tmp_path):
    ack = tmp_path / "ack.txt"
    rng = random.Random(20261126)
    first = 100000
    for _round in range(5):
        before = _lines(ack)
        proc = crash_db.child(ack, first, 100000)
        # Django's start-up takes a second or more (much more on a loaded machine): kill at a random moment
        # once the child is issuing, not during its start-up.
        deadline = time.monotonic() + 120
        while _lines(ack) <= before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
        check_invariants(crash_db, ack)
        first = resume_point(ack) or first
    check_invariants(crash_db, ack, ledger=True)
    assert len(acknowledged(ack)) > 5


def test_concurrent_processes(crash_db, tmp_path):
    """Four processes issue at the same time on the same series (SQLite: through its write lock)."""
    before = crash_db.rows("SELECT COUNT(*) FROM invoicing_invoice")[0][0]
    acks = [tmp_path / f"ack{w}.txt" for w in range(4)]
    procs = [crash_db.child(ack, 0, 30, prefix=f"p{w}") for w, ack in enumerate(acks)]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()[-2000:]
    seqs = [s for (s,) in crash_db.rows("SELECT seq FROM invoicing_invoice ORDER BY seq")]
    assert seqs == list(range(1, before + 121))
    assert sum(len(acknowledged(a)) for a in acks) == 120
    result = crash_db.zhishui("invoice", "verify-ledger", check=False)
    assert result.returncode == 0, result.stdout
