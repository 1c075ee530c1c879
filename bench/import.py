"""Benchmark: load a feed directory of N invoices (default 1,000,000) and 3·N invoice lines.

For each database (SQLite and PostgreSQL) in a fresh process and a fresh database:

  1. ``import_directory`` on the generated directory — every check runs (identifiers, amounts,
     dates, duplicate keys, Σ lines = invoice, the 6-fen tax tolerance, red invoices against their
     blue ones, the manifest's checksums): rows per second and peak memory (the process's peak RSS
     minus its RSS before the import);
  2. the physical baseline in the same run: the same stored rows, already in memory as Python tuples,
     inserted into clones of the two tables (same columns, indexes and foreign keys) in one
     transaction — SQLite ``executemany``, PostgreSQL ``COPY`` — with the same connection settings;
  3. re-importing the same directory (everything unchanged);
  4. the 一户式 page of the seller with 10,000 invoices: p50/p95 over 100 requests and its query count.

The input is generated here (vectorised NumPy, written by Arrow's CSV writer). Results, with the
machine, go to bench/results/import.json.

    .venv/bin/python bench/import.py [--invoices 1000000] [--db sqlite,postgres]
        [--pg-url postgres://postgres@127.0.0.1:5432/postgres] [--requests 100] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "import.json"
HEAVY_INVOICES = 10_000
RATES = np.array([1300, 900, 600, 300], dtype=np.int64)  # basis points: 13 %, 9 %, 6 %, 3 %
RATE_TEXT = np.array(["0.13", "0.09", "0.06", "0.03"])
GOODS = np.array(["1090101010000000000", "1010101010000000000", "3040201000000000000", "1080201000000000000"])
ITEMS = np.array(["*机械设备*数控车床", "*农产品*小麦", "*维修服务*设备维修", "*钢材*热轧钢板"])


# --- input generation ------------------------------------------------------------------------------

def _uscc(region: str, n: int, start: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from zhishui.core.identifiers import uscc_check_char

    out = []
    for i in range(start, start + n):
        body = f"91{region}MA{i:07d}"
        out.append(body + uscc_check_char(body))
    return out


def _write_csv(path: Path, columns: dict[str, np.ndarray]) -> int:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    table = pa.table({k: pa.array(v) for k, v in columns.items()})
    pcsv.write_csv(table, path)
    return table.num_rows


def generate(directory: Path, invoices: int, seed: int = 610303) -> dict:
    """Tax registrations of the sellers, N invoices (0.2 % red), 3 lines each, and a manifest."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    n_sellers = 2000
    sellers = np.array(_uscc("610303", n_sellers, 1))
    outside = np.array(_uscc("610113", 500, 1))
    buyers_pool = np.concatenate([sellers, outside])
    names = np.array([f"宝鸡市金台区测试企业{i:04d}有限公司" for i in range(n_sellers)])
    _write_csv(directory / "tax_registrations.csv", {
        "taxpayer_id": sellers, "name": names, "taxpayer_kind": np.full(n_sellers, "enterprise"),
        "vat_status": np.where(np.arange(n_sellers) % 3 == 0, "small_scale", "general"),
        "registered_on": np.full(n_sellers, "2018-01-01"), "tax_office": np.full(n_sellers, "国家税务总局宝鸡市金台区税务局"),
        "officer_id": np.array([f"G{i % 50:04d}" for i in range(n_sellers)]), "state": np.full(n_sellers, "normal"),
        "urban_class": np.full(n_sellers, "city")})

    n = invoices
    seller_idx = rng.integers(1, n_sellers, n)
    seller_idx[:min(HEAVY_INVOICES, n)] = 0  # one seller with 10,000 invoices for the profile timing
    rng.shuffle(seller_idx)
    buyer_idx = rng.integers(0, len(buyers_pool), n)
    buyer_idx = np.where(buyer_idx == seller_idx, (buyer_idx + 1) % len(buyers_pool), buyer_idx)
    consumer = rng.random(n) < 0.05  # ordinary invoices to consumers: no buyer identifier
    buyer = np.where(consumer, "", buyers_pool[buyer_idx])
    buyer_name = np.where(consumer, "个人", "购买方单位")
    invoice_no = np.char.add("2561000", np.char.zfill(np.arange(1, n + 1).astype(str), 13))
    seconds = rng.integers(0, 730 * 86400, n) + int(datetime.datetime(2024, 1, 1).timestamp())
    issued = pc.strftime(pa.array(seconds.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%S").to_numpy(
        zero_copy_only=False)
    invoice_type = np.where(consumer, "ordinary", "special")

    k = 3
    line_amount = rng.integers(100, 5_000_000, (n, k)).astype(np.int64)
    line_rate = rng.integers(0, len(RATES), (n, k))
    line_tax = (line_amount * RATES[line_rate] + 5000) // 10000  # half up, amounts positive
    # Red invoices: 0.2 %, each reversing the first line of the blue invoice just before it (same parties).
    red = np.zeros(n, dtype=bool)
    red[1::500] = True
    blue_of = np.arange(n) - 1
    seller_idx[red] = seller_idx[blue_of[red]]
    buyer[red] = buyer[blue_of[red]]
    buyer_name[red] = buyer_name[blue_of[red]]
    invoice_type[red] = invoice_type[blue_of[red]]
    lines_per = np.where(red, 1, k)
    line_amount[red, 0] = -line_amount[blue_of[red], 0]
    line_rate[red, 0] = line_rate[blue_of[red], 0]
    line_tax[red, 0] = -line_tax[blue_of[red], 0]
    mask = np.arange(k)[None, :] < lines_per[:, None]
    amount = (line_amount * mask).sum(axis=1)
    tax = (line_tax * mask).sum(axis=1)

    def money(fen: np.ndarray) -> np.ndarray:
        sign = np.where(fen < 0, "-", "")
        a = np.abs(fen)
        return np.char.add(np.char.add(sign, (a // 100).astype(str)), np.char.add(".", np.char.zfill((a % 100).astype(str), 2)))

    status = np.full(n, "normal", dtype=object)
    status[blue_of[red]] = "partly_red"
    confirmed = np.where((invoice_type == "special") & ~red, issued.astype("U10"), "")
    rows = _write_csv(directory / "invoices.csv", {
        "invoice_no": invoice_no, "invoice_type": invoice_type, "issued_at": issued,
        "seller_id": sellers[seller_idx], "buyer_id": buyer, "buyer_name": buyer_name,
        "amount": money(amount), "tax": money(tax), "status": status.astype(str),
        "red_of": np.where(red, invoice_no[blue_of], ""), "deduction_confirmed_on": confirmed})
    flat = mask.ravel()
    line_no = np.tile(np.arange(1, k + 1), n)[flat]
    la = line_amount.ravel()[flat]
    lr = line_rate.ravel()[flat]
    lines = _write_csv(directory / "invoice_lines.csv", {
        "invoice_no": np.repeat(invoice_no, k)[flat], "line_no": line_no.astype(str), "goods_code": GOODS[lr],
        "item_name": ITEMS[lr], "unit": np.full(len(la), "件"), "quantity": np.full(len(la), "1"),
        "unit_price": money(np.abs(la)), "amount": money(la), "tax_rate": RATE_TEXT[lr],
        "tax": money(line_tax.ravel()[flat])})
    feeds = {}
    for name, count in (("tax_registrations", n_sellers), ("invoices", rows), ("invoice_lines", lines)):
        digest = hashlib.sha256((directory / f"{name}.csv").read_bytes()).hexdigest()
        feeds[name] = {"rows": count, "sha256": digest}
    (directory / "manifest.json").write_text(json.dumps({"source": "基准测试", "period": "2025-12", "feeds": feeds},
                                                        ensure_ascii=False))
    return {"invoices": rows, "invoice_lines": lines, "heavy_seller": str(sellers[0]),
            "bytes": {name: (directory / f"{name}.csv").stat().st_size for name in feeds}}


# --- one database, in a child process ------------------------------------------------------------

def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clone_tables(connection, tables: list[str]) -> dict[str, str]:
    """Empty copies with the same columns, indexes and foreign keys; returns original → clone."""
    clones = {}
    with connection.cursor() as cur:
        for table in tables:
            clone = f"bench_{table}"
            clones[table] = clone
            if connection.vendor == "sqlite":
                cur.execute(f'DROP TABLE IF EXISTS "{clone}"')
                cur.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table])
                objects = cur.fetchall()
                for kind, name, sql in sorted(objects, key=lambda o: o[0] != "table"):
                    sql = sql.replace(f'"{table}"', f'"{clone}"', 1)
                    if kind == "index":
                        sql = sql.replace(f'"{name}"', f'"bench_{name}"', 1)
                        cur.execute(f'DROP INDEX IF EXISTS "bench_{name}"')
                    cur.execute(sql)
            else:
                cur.execute(f'DROP TABLE IF EXISTS "{clone}"')
                cur.execute(f'CREATE TABLE "{clone}" (LIKE "{table}" INCLUDING ALL)')
                cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                            "WHERE conrelid = %s::regclass AND contype = 'f'", [table])
                for name, definition in cur.fetchall():
                    cur.execute(f'ALTER TABLE "{clone}" ADD CONSTRAINT "bench_{name}" {definition}')
    return clones


def _baseline(connection, table: str, clone: str) -> dict:
    """Insert the rows stored in ``table`` into ``clone``: the bare physical rate."""
    from django.db import transaction

    with connection.cursor() as cur:
        cur.execute(f'SELECT * FROM "{table}" ORDER BY id')
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "sqlite":
            marks = ", ".join("?" * len(columns))
            names = ", ".join(f'"{c}"' for c in columns)
            connection.connection.executemany(f'INSERT INTO "{clone}" ({names}) VALUES ({marks})', rows)
        else:
            from zhishui.registry.dbwrite import copy_rows

            copy_rows(clone, columns, rows)
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute(f'DROP TABLE "{clone}"')
    return {"rows": len(rows), "seconds": round(seconds, 3), "rows_per_second": round(len(rows) / seconds)}


def _profile_timings(key: str, requests: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhishui.core.models import User
    from zhishui.core.roles import ensure_roles

    ensure_roles()
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username="bench", password="Bench-Passw0rd!", display_name="bench")
    user.groups.set(Group.objects.filter(name="collection"))
    device = TOTPDevice.objects.create(user=user, name="bench", key="3132333435363738393031323334353637383930",
                                       confirmed=True)
    client = Client()
    client.post("/accounts/login/", {"username": "bench", "password": "Bench-Passw0rd!"})
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post("/accounts/otp/", {"token": code, "next": "/"})
    url = f"/registry/taxpayers/{key}/"
    api = f"/api/v1/registry/taxpayers/{key}"
    client.get(url)  # warm caches
    counted = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        first = client.get(url)
    page_queries = list(counted)
    assert first.status_code == 200, first.status_code
    counted.clear()
    with connection.execute_wrapper(count):
        assert client.get(api).status_code == 200
    api_queries = list(counted)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return {"requests": requests, "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "max_ms": round(times[-1], 1),
            "queries_page": len(page_queries), "queries_api": len(api_queries), "bytes": len(first.content)}


def child(directory: Path, requests: int, heavy: str) -> dict:
    import django

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhishui.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhishui.registry.importer import import_directory
    from zhishui.registry.models import ImportedInvoice, ImportedInvoiceLine, Taxpayer

    call_command("migrate", verbosity=0)
    rss_before = _rss_mb()
    started = time.perf_counter()
    report = import_directory(directory, by="bench", via="cli")
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    assert report.status == "ok", [p.text() for f in report.files for p in f.problems[:5]]
    files = {f.feed: {"rows": f.rows_read, "inserted": f.inserted, "seconds": round(f.seconds, 3), "phases": f.phases}
             for f in report.files}
    invoice_rows = files["invoices"]["rows"] + files["invoice_lines"]["rows"]
    invoice_seconds = files["invoices"]["seconds"]  # invoices and lines are loaded together; each reports the pair
    from zhishui.registry import dbwrite

    dbwrite.tune_for_bulk()  # the baseline runs with the importer's connection settings
    tables = [ImportedInvoice._meta.db_table, ImportedInvoiceLine._meta.db_table]
    clones = _clone_tables(connection, tables)
    base_invoices = _baseline(connection, tables[0], clones[tables[0]])
    base_lines = _baseline(connection, tables[1], clones[tables[1]])
    base_rows = base_invoices["rows"] + base_lines["rows"]
    base_seconds = base_invoices["seconds"] + base_lines["seconds"]
    started = time.perf_counter()
    again = import_directory(directory, by="bench", via="cli")
    reimport_seconds = time.perf_counter() - started
    assert all(f.inserted == 0 and f.updated == 0 for f in again.files)
    call_command("collectstatic", interactive=False, verbosity=0)  # production static storage, as served
    key = Taxpayer.objects.get(tax_id=heavy).key
    heavy_count = ImportedInvoice.objects.filter(seller__key=key).count()
    profile = _profile_timings(key, requests)
    return {
        "database": connection.vendor,
        "server_version": f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
        if connection.vendor == "postgresql" else __import__("sqlite3").sqlite_version,
        "import": {"seconds": round(seconds, 2), "files": files, "invoice_and_line_rows": invoice_rows,
                   "invoice_pair_seconds": invoice_seconds,
                   "rows_per_second": round(invoice_rows / seconds),
                   "rows_per_second_invoice_files_only": round(invoice_rows / invoice_seconds),
                   "rss_before_mb": round(rss_before), "peak_rss_mb": round(peak),
                   "peak_memory_for_import_mb": round(peak - rss_before)},
        "bare_insert_baseline": {"method": "executemany, one transaction" if connection.vendor == "sqlite"
                                 else "COPY, one transaction",
                                 "invoices": base_invoices, "invoice_lines": base_lines,
                                 "rows_per_second": round(base_rows / base_seconds)},
        "import_vs_baseline": round((invoice_rows / seconds) / (base_rows / base_seconds), 3),
        "reimport_unchanged_seconds": round(reimport_seconds, 2),
        "profile_page": {"taxpayer_invoices": heavy_count, **profile},
    }


def _machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as fh:
            info["cpu"] = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
        with open("/proc/meminfo") as fh:
            info["memory_gb"] = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
        info["load_average_at_start"] = os.getloadavg()
    except OSError:
        pass
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=os.environ.get("ZHISHUI_BENCH_PG_URL",
                                                           "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--child", default="")
    parser.add_argument("--heavy", default="")
    parser.add_argument("--keep", action="store_true", help="keep the generated directory")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.requests, args.heavy)))
        return
    work = Path(tempfile.mkdtemp(prefix="zhishui-bench-"))
    feeds = work / "feeds"
    started = time.perf_counter()
    generated = generate(feeds, args.invoices)
    generated["seconds"] = round(time.perf_counter() - started, 1)
    print(f"generated {generated['invoices']} invoices, {generated['invoice_lines']} lines in "
          f"{generated['seconds']} s", file=sys.stderr)
    results = {"benchmark": "bench/import.py", "when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "machine": _machine(), "input": generated, "runs": []}
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), ZHISHUI_VAR_DIR=str(work / f"var-{db}"),
                   ZHISHUI_ALLOWED_HOSTS="testserver,127.0.0.1")
        if db == "sqlite":
            env["ZHISHUI_DATABASE_URL"] = ""
        else:
            import psycopg

            name = "zhishui_bench_import"
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
            env["ZHISHUI_DATABASE_URL"] = args.pg_url.rsplit("/", 1)[0] + f"/{name}"
        proc = subprocess.run([sys.executable, __file__, "--child", str(feeds), "--requests", str(args.requests),
                               "--heavy", generated["heavy_seller"]], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr[-4000:], file=sys.stderr)
            results["runs"].append({"database": db, "error": proc.stderr[-2000:]})
            continue
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        results["runs"].append(run)
        print(json.dumps(run, ensure_ascii=False, indent=1), file=sys.stderr)
        if db != "sqlite":
            import psycopg

            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS zhishui_bench_import")
    results["goal"] = {"import_vs_baseline_min": 0.5, "profile_p95_ms_max": 300}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
