#!/usr/bin/env python3
"""The two set-up commands of the README, with nothing but Python and Debian's package manager.

    python3 run.py demo   # virtual environment, install, migrate, generate and load a district, serve
    python3 run.py test   # virtual environment, system packages, lint, checks, the whole test suite

Each step says what it does; nothing is downloaded at run time of the platform itself.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
# Debian packages the test suite needs: a browser for the Playwright tests, a CJK font for PDFs and
# screenshots, gettext for the message catalogs.
TEST_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "fonts-wqy-microhei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "gettext": "/usr/bin/msgfmt",
}


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def run(cmd: list[str], env: dict | None = None, check: bool = True) -> int:
    print("   $", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=check).returncode


def apt_install(packages: list[str]) -> None:
    if not packages:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run([*sudo, "apt-get", "update", "-qq"], env=env)
    run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project; reinstall only when pyproject.toml changed."""
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        step("Installing python3-venv (Debian)")
        apt_install(["python3-venv"])
    if not (BIN / "python").exists():
        step("Creating the virtual environment .venv")
        run([sys.executable, "-m", "venv", str(VENV)])
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    step("Installing zhishui and its dependencies into .venv")
    run([str(BIN / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    target = f".[{extras}]" if extras else "."
    run([str(BIN / "python"), "-m", "pip", "install", "-q", "-e", target])
    stamp.write_text(digest)


def zhishui(*args: str, env: dict | None = None, check: bool = True) -> int:
    return run([str(BIN / "zhishui"), *args], env=env, check=check)


def pg_reachable(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def start_postgres() -> None:
    clusters = sorted(p.name for p in Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
    if not clusters or not shutil.which("pg_ctlcluster"):
        sys.exit("PostgreSQL is not installed here; install it or set ZHISHUI_TEST_DATABASE_URL.")
    step("Starting the local PostgreSQL cluster")
    run(["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "start"], check=False)


def cmd_test(args) -> int:
    ensure_venv("test")
    missing = [pkg for pkg, path in TEST_PACKAGES.items() if not Path(path).exists()]
    if missing:
        step("Installing Debian packages for the tests: " + ", ".join(missing))
        apt_install(missing)
    step("Lint (ruff)")
    run([str(BIN / "ruff"), "check", "src", "tests", "bench", "run.py"])
    base_env = dict(os.environ)
    base_env.pop("ZHISHUI_DATABASE_URL", None)
    step("Migrations are complete (makemigrations --check)")
    zhishui("makemigrations", "--check", "--dry-run", env=base_env)
    step("Deployment checks with production-like settings (check --deploy)")
    deploy_env = dict(base_env, ZHISHUI_DEBUG="0", ZHISHUI_HTTPS="1", ZHISHUI_ALLOWED_HOSTS="tax.example.gov.cn",
                      ZHISHUI_SECRET_KEY=hashlib.sha256(os.urandom(32)).hexdigest() * 2)
    zhishui("check", "--deploy", "--fail-level", "WARNING", env=deploy_env)

    pg_url = os.environ.get("ZHISHUI_TEST_DATABASE_URL") or PG_DEFAULT
    databases = {"sqlite": ["sqlite"], "postgres": ["postgres"], "all": ["sqlite", "postgres"]}[args.db]
    if args.db == "auto":
        databases = ["sqlite"] + (["postgres"] if pg_reachable(pg_url) else [])
    failures = 0
    for db in databases:
        env = dict(base_env)
        env.pop("ZHISHUI_TEST_DATABASE_URL", None)
        if db == "postgres":
            if not pg_reachable(pg_url):
                start_postgres()
            env["ZHISHUI_TEST_DATABASE_URL"] = pg_url
        step(f"Test suite on {db}")
        code = run([str(BIN / "pytest"), *args.pytest_args], env=env, check=False)
        failures += code != 0
    if args.db == "auto" and "postgres" not in databases:
        print("\nPostgreSQL was not reachable: the suite ran on SQLite only (use --db all to require both).")
    return 1 if failures else 0


def cmd_demo(args) -> int:
    ensure_venv("")
    step("Setting up and serving the demo district")
    demo_args = ["demo", "--scale", str(args.scale), "--port", str(args.port)]
    return zhishui(*demo_args, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="lint, checks and the whole test suite")
    test.add_argument("--db", choices=["auto", "sqlite", "postgres", "all"], default="auto",
                      help="auto: SQLite, and PostgreSQL too when a server answers (default)")
    test.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    demo = sub.add_parser("demo", help="set up the demo district and serve it on 127.0.0.1")
    demo.add_argument("--scale", type=float, default=0.1)
    demo.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    try:
        return {"test": cmd_test, "demo": cmd_demo}[args.command](args)
    except subprocess.CalledProcessError as exc:
        print(f"\nFAILED: {' '.join(str(c) for c in exc.cmd)} (exit {exc.returncode})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
