"""Benchmark the e-invoice service on SQLite and PostgreSQL.

    PYTHONPATH=src .venv/bin/python bench/invoicing.py                  # both databases, 15 s per measurement
    PYTHONPATH=src .venv/bin/python bench/invoicing.py --db sqlite --seconds 5

For each database, in a database of its own (a temporary SQLite file configured as the product
configures it: WAL, ``synchronous=FULL`` so that a commit survives a power failure; a new PostgreSQL
database on the server of ZHISHUI_BENCH_PG, default postgres://postgres@127.0.0.1:5432/postgres, with
its ``synchronous_commit`` as the server has it), and in the same run:

* the physical baseline: a bare single-row INSERT with its COMMIT through the same Django connection,
  so with the same connection settings and the same disk flush per commit as issuing (on SQLite the
  ``synchronous=FULL`` fsync of the WAL; docs/decisions/0007-sqlite-synchronous-full.md);
* issuing through the service function (one invoice per transaction: checked, numbered, SM3-hashed,
  SM2-signed, chained, audited and committed), without and with an idempotency key, and in batches;
* the floor of issuing: the rows one issue writes (the invoice, its line, its state, its monitoring event,
  its audit event, the credit-line usage, the series counter and the audit chain head), read back from the
  database and written again under fresh keys, one invoice per transaction, through the same Django
  connection as the bare insert and with no application work at all (no checks, hashing or signing).
  No implementation of issuing that keeps these records can be faster, so ``floor_ratio_to_bare`` is the
  most the issuing goal can reach in this database; at the very end the same again without any secondary
  index or foreign key on those tables (``floor_without_secondary_indexes_ratio_to_bare``), the most
  generous floor;
* issuing through the HTTP API served by gunicorn with 2 sync workers (the configuration of
  ``zhishui serve``), with 4 client threads;
* public verification (POST /api/v1/invoicing/verify) against a trivial endpoint of the same server
  (GET /api/v1/invoicing/health): requests per second and p99 latency. The server runs with the
  verification rate limit off (one client address sends everything); the verification log is written.

Each HTTP measurement follows one second of the same requests whose results are discarded (each
worker's first requests load code, keys and connections).

Goals (issue 6): issuing ≥ 50 % of the bare-insert rate; verification ≥ 50 % of the trivial endpoint.
The taxpayer registry of the run is a fixed in-process provider (``parties.use_provider``), so the
benchmark does not depend on registry data. Results with machine info go to bench/results/invoicing.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT / "src"), str(ROOT)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
CLIENTS = 4


# --- the taxpayers of the run ------------------------------------------------------------------------------

def _parties():
    from zhishui.core.identifiers import uscc_check_char
    from zhishui.invoicing.parties import Party

    def uscc(n):
        body = f"91610303{n:09d}"
        return body + uscc_check_char(body)

    seller, buyer = uscc(1), uscc(2)
    return seller, buyer, {seller: Party(seller, "宝鸡金台精密机械有限公司", "normal", "general", "C3311", "610303001"),
                           buyer: Party(buyer, "宝鸡渭滨商贸有限公司", "normal", "general", "F5191", "610303002")}


_PROVIDER: list = []


def _install_parties():
    from zhishui.invoicing import parties

    _seller, _buyer, table = _parties()
    cm = parties.use_provider(table.get)
    cm.__enter__()  # for the whole process (kept referenced, or the generator would be closed)
    _PROVIDER.append(cm)


def server_app():
    """The WSGI application gunicorn serves: zhishui's own, with the run's taxpayers."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhishui.settings")
    import django

    django.setup()
    _install_parties()
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _request(seller: str, buyer: str) -> dict:
    return {"kind": "special", "buyer": {"id": buyer, "name": "宝鸡渭滨商贸有限公司"},
            "lines": [{"goods_code": "3040201010000000000", "name": "软件开发服务", "unit": "项", "quantity": "2",
                       "unit_price": "500", "amount": "1000.00", "tax_rate": "0.06"}], "remark": "benchmark"}


# --- measurements (in a worker process bound to one database) ------------------------------------------------

def _sustained(fn, seconds: float) -> dict:
    fn()  # warm-up
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn()
        count += 1
    elapsed = time.perf_counter() - started
    return {"operations": count, "seconds": round(elapsed, 2), "per_second": round(count / elapsed, 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _load(port: int, make_request, seconds: float, clients: int = CLIENTS, warm_up: float = 1.0) -> dict:
    if warm_up:
        _load(port, make_request, warm_up, clients, warm_up=0)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        mine, codes = [], {}
        while time.perf_counter() < stop:
            method, path, body, headers = make_request(rng)
            t = time.perf_counter()
            status, _ = _http(port, method, path, body, headers)
            mine.append(time.perf_counter() - t)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0
    return {"requests": len(latencies), "seconds": round(elapsed, 2), "per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
            "p99_ms": round(p99 * 1000, 2), "statuses": statuses, "clients": clients}


def _floor(number: str, base: int = 10**9):
    """A function writing, as one transaction, copies of the rows the issue of ``number`` wrote (under
    sequence numbers and audit ids from ``base`` on, far beyond the series' own)."""
    from django.db import connection, transaction

    def row(table: str, where: str, value) -> dict:
        with connection.cursor() as cur:
            cur.execute(f"SELECT * FROM {table} WHERE {where} = %s", [value])
            names = [c[0] for c in cur.description]
            return dict(zip(names, cur.fetchone(), strict=True))

    invoice = row("invoicing_invoice", "number", number)
    line = row("invoicing_invoiceline", "invoice_id", number)
    state = row("invoicing_invoicestate", "invoice_id", number)
    event = row("invoicing_invoiceevent", "invoice_number", number)
    audit = row("core_auditevent", "object_id", number)
    for r in (line, event):
        r.pop("id")  # generated
    counter = iter(range(1, 10**9))
    seq0, audit0 = invoice["seq"] + base, audit["id"] + base

    def insert(table: str, values: dict) -> tuple[str, list]:
        names = ", ".join(connection.ops.quote_name(n) for n in values)
        return (f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(values))})",
                list(values.values()))

    def write() -> None:
        k = next(counter)
        n = number[:5] + f"{seq0 + k:015d}"
        digest = f"{base + k:064x}"
        statements = [
            ("SELECT last_seq FROM invoicing_invoiceseries WHERE key = %s", [invoice["series_id"]]),
            ("UPDATE invoicing_creditusage SET used = used + %s WHERE taxpayer_id = %s AND month = %s",
             [invoice["amount"], invoice["seller_id"], time.strftime("%Y-%m")]),
            ("SELECT last_seq, last_hash FROM core_auditchainhead WHERE id = 1", []),
            insert("invoicing_invoice", {**invoice, "number": n, "seq": seq0 + k, "digest": digest}),
            insert("invoicing_invoiceline", {**line, "invoice_id": n}),
            insert("invoicing_invoicestate", {**state, "invoice_id": n}),
            insert("invoicing_invoiceevent", {**event, "invoice_number": n}),
            ("UPDATE invoicing_invoiceseries SET last_seq = %s, last_hash = %s WHERE key = %s",
             [invoice["seq"], invoice["digest"], invoice["series_id"]]),
            insert("core_auditevent", {**audit, "id": audit0 + k, "object_id": n, "hash": digest}),
            ("UPDATE core_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1",
             [audit["id"], audit["hash"]]),
        ]
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":  # one round trip for all (the service needs two)
                cur.execute("; ".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps])
            else:
                for sql, params in statements:
                    cur.execute(sql, params)

    return write


def worker(seconds: float) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhishui.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from zhishui.core.api_auth import issue_token
    from zhishui.core.models import User
    from zhishui.invoicing import credit, services

    _install_parties()
    seller, buyer, _table = _parties()
    data = _request(seller, buyer)
    services.issue(seller_id=seller, data=data)
    credit.adjust(seller, kind="permanent", amount="900000000000", reason="benchmark")
    out: dict = {"vendor": connection.vendor}
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            out["server_version"] = cur.fetchone()[0]
            cur.execute("SHOW synchronous_commit")
            out["synchronous_commit"] = cur.fetchone()[0]
            cur.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, payload text, at timestamptz)")
        else:
            out["server_version"] = sqlite3.sqlite_version
            cur.execute("PRAGMA journal_mode")
            out["journal_mode"] = cur.fetchone()[0]
            cur.execute("PRAGMA synchronous")
            out["synchronous"] = cur.fetchone()[0]
            cur.execute("CREATE TABLE bench_bare (id integer PRIMARY KEY, payload text, at text)")

    def bare():
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("INSERT INTO bench_bare (payload, at) VALUES (%s, %s)", ["x" * 100, timezone.now()])

    counter = iter(range(10**9))
    out["bare_insert"] = _sustained(bare, seconds)
    out["issue_service"] = _sustained(lambda: services.issue(seller_id=seller, data=data), seconds)
    out["issue_service_idempotent"] = _sustained(
        lambda: services.issue(seller_id=seller, data=data, idempotency_key=f"bench-{next(counter)}"), seconds)
    batch = [data] * 50
    result = _sustained(lambda: services.issue_batch(seller_id=seller, invoices=batch), seconds)
    result["invoices_per_second"] = round(result["per_second"] * len(batch), 1)
    out["issue_service_batch_50"] = result
    out["issue_ratio_to_bare"] = round(out["issue_service"]["per_second"] / out["bare_insert"]["per_second"], 3)
    # Last, so that its rows (numbers far beyond the series' counter, which it leaves as it was) disturb
    # nothing measured before it; the HTTP measurements issue under the counter's next numbers.
    _status, issued, _replayed = services.issue(seller_id=seller, data=data)
    out["issue_floor"] = _sustained(_floor(issued["number"]), seconds)
    out["floor_ratio_to_bare"] = round(out["issue_floor"]["per_second"] / out["bare_insert"]["per_second"], 3)

    user = User.objects.create_user("bench_seller", password="Bench-Passw0rd!", taxpayer_id=seller)
    from django.contrib.auth.models import Group

    user.groups.set(Group.objects.filter(name="taxpayer"))
    _token, raw = issue_token(user, "bench")
    numbers = list(__import__("zhishui.invoicing.models", fromlist=["Invoice"]).Invoice.objects
                   .filter(seq__lt=10**9).values_list("number", "issued_at", "total")[:2000])  # not the floor's
    connection.close()

    port = _free_port()
    env = dict(os.environ, ZHISHUI_VERIFY_RATE_LIMIT="0", ZHISHUI_ALLOWED_HOSTS="127.0.0.1,localhost")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "invoicing:server_app()", "--chdir",
                               str(ROOT / "bench"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--log-level", "warning", "--timeout", "120"], env=env, cwd=ROOT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if _http(port, "GET", "/api/v1/invoicing/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        body = json.dumps(data).encode()
        issue_headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
        out["issue_http"] = _load(port, lambda rng: ("POST", "/api/v1/invoicing/invoices", body, issue_headers),
                                  seconds)
        out["trivial_http"] = _load(port, lambda rng: ("GET", "/api/v1/invoicing/health", None, {}), seconds)

        def verify_request(rng):
            number, issued_at, total = rng.choice(numbers)
            payload = {"number": number, "date": timezone.localtime(issued_at).date().isoformat(),
                       "total": f"{total:.2f}"}
            return "POST", "/api/v1/invoicing/verify", json.dumps(payload).encode(), {
                "Content-Type": "application/json"}

        out["verify_http"] = _load(port, verify_request, seconds)
        out["verify_ratio_to_trivial"] = round(out["verify_http"]["per_second"] / out["trivial_http"]["per_second"], 3)
        out["issue_http_ratio_to_bare"] = round(out["issue_http"]["per_second"] / out["bare_insert"]["per_second"], 3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Last of all, as it changes the schema: the floor again without any secondary index or foreign key on
    # the tables an issue writes (primary keys and unique constraints stay: no duplicate numbers). The most
    # generous floor: the queries of the product need those indexes.
    _strip_secondary_indexes()
    out["issue_floor_without_secondary_indexes"] = _sustained(_floor(issued["number"], 2 * 10**9), seconds)
    out["floor_without_secondary_indexes_ratio_to_bare"] = round(
        out["issue_floor_without_secondary_indexes"]["per_second"] / out["bare_insert"]["per_second"], 3)
    return out


FLOOR_TABLES = ("invoicing_invoice", "invoicing_invoiceline", "invoicing_invoicestate", "invoicing_invoiceevent",
                "core_auditevent", "invoicing_creditusage", "invoicing_invoiceseries", "core_auditchainhead")


def _strip_secondary_indexes() -> None:
    from django.db import connection

    marks = ", ".join(["%s"] * len(FLOOR_TABLES))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT i.indexrelid::regclass::text FROM pg_index i WHERE NOT i.indisprimary AND "
                        f"NOT i.indisunique AND i.indrelid::regclass::text IN ({marks})", FLOOR_TABLES)
            drops = [f"DROP INDEX {name}" for (name,) in cur.fetchall()]
            cur.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' AND "
                        f"conrelid::regclass::text IN ({marks})", FLOOR_TABLES)
            drops += [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for table, name in cur.fetchall()]
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
                        f"sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks})", FLOOR_TABLES)
            drops = [f'DROP INDEX "{name}"' for (name,) in cur.fetchall()] + ["PRAGMA foreign_keys = OFF"]
        for statement in drops:
            cur.execute(statement)


# --- the driver ---------------------------------------------------------------------------------------------

def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import django
    import gmssl_pyx  # noqa: F401 - the SM2 implementation in use
    import psycopg

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "django": django.__version__, "psycopg": psycopg.__version__, "platform": platform.platform(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()]}


def _run_on(db: str, seconds: float) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHISHUI_")}
    tmp = Path(tempfile.mkdtemp(prefix="zhishui-bench-"))
    env.update({"ZHISHUI_VAR_DIR": str(tmp), "ZHISHUI_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
                "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "DJANGO_SETTINGS_MODULE": "zhishui.settings",
                "ZHISHUI_OTP_REQUIRED": "0"})
    admin, name = os.environ.get("ZHISHUI_BENCH_PG", PG_DEFAULT), None
    if db == "postgres":
        import psycopg

        name = f"zs_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        env["ZHISHUI_DATABASE_URL"] = admin.rsplit("/", 1)[0] + "/" + name
    try:
        subprocess.run([sys.executable, "-m", "zhishui", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
        done = subprocess.run([sys.executable, __file__, "--worker", "--seconds", str(seconds)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the {db} worker failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if name:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", default=str(ROOT / "bench" / "results" / "invoicing.json"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.seconds), ensure_ascii=False))
        return
    result = {"benchmark": "invoicing", "date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(),
              "seconds_per_measurement": args.seconds, "goals": {"issue_ratio_to_bare": 0.5,
                                                                  "verify_ratio_to_trivial": 0.5}, "runs": {}}
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        print(f"== {db}", file=sys.stderr, flush=True)
        result["runs"][db] = _run_on(db, args.seconds)
        print(json.dumps(result["runs"][db], ensure_ascii=False, indent=1), file=sys.stderr, flush=True)
    Path(args.results).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
