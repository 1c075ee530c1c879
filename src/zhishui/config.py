"""The one registry of zhishui's environment settings.

Each setting has a name, a type, a default and a line of documentation; ``docs/settings.md``
is checked against this table by a test, so the two cannot drift apart.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type
    default: Any
    doc: str


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _list(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


SETTINGS: dict[str, Setting] = {s.name: s for s in [
    Setting("ZHISHUI_DATABASE_URL", str, "",
            "Database URL, e.g. postgres://user@127.0.0.1:5432/zhishui. Default: SQLite file var/zhishui.sqlite3 "
            "in WAL mode with synchronous=FULL (every commit flushed to disk; docs/decisions/0007)."),
    Setting("ZHISHUI_SECRET_KEY", str, "",
            "Django secret key. Default: generated on first run and kept in var/secret_key (mode 0600)."),
    Setting("ZHISHUI_DEBUG", bool, False, "Debug mode. Never on in production."),
    Setting("ZHISHUI_DISTRICT", str, "610303",
            "The 6-digit administrative code of the district this installation serves (default 金台区)."),
    Setting("ZHISHUI_VAR_DIR", str, "",
            "Directory for the SQLite file, keys, uploads and mail. Default: var/ in the working directory."),
    Setting("ZHISHUI_ALLOWED_HOSTS", list, ["127.0.0.1", "localhost"], "Comma-separated host names served."),
    Setting("ZHISHUI_CSRF_TRUSTED_ORIGINS", list, [], "Comma-separated origins trusted for CSRF (https://…)."),
    Setting("ZHISHUI_HTTPS", bool, False,
            "Behind TLS: secure cookies, HSTS, redirect to https."),
    Setting("ZHISHUI_OTP_REQUIRED", bool, True, "Require a TOTP second factor for staff roles."),
    Setting("ZHISHUI_PASSWORD_COMPLEXITY", bool, True,
            "Require upper case, lower case, digit and symbol (3 of 4 classes at least)."),
    Setting("ZHISHUI_PASSWORD_MIN_LENGTH", int, 10, "Minimum password length."),
    Setting("ZHISHUI_PASSWORD_MAX_AGE_DAYS", int, 90,
            "Staff must change their password after this many days (0 disables)."),
    Setting("ZHISHUI_SESSION_IDLE_MINUTES", int, 30, "Idle session timeout."),
    Setting("ZHISHUI_SESSION_ABSOLUTE_MINUTES", int, 480, "Absolute session lifetime after login."),
    Setting("ZHISHUI_LOGIN_FAILURE_LIMIT", int, 5, "Failed logins before the account is locked."),
    Setting("ZHISHUI_LOCKOUT_MINUTES", int, 30, "How long a lockout lasts."),
    Setting("ZHISHUI_EMAIL_BACKEND", str, "django.core.mail.backends.filebased.EmailBackend",
            "Django e-mail backend; the default writes mails to var/mail/."),
    Setting("ZHISHUI_EMAIL_FROM", str, "zhishui@localhost", "Sender address of notifications."),
    Setting("ZHISHUI_IMPORT_MAX_BYTES", int, 1073741824, "Largest feed file (and largest inflated XLSX/zip) "
            "an import accepts, in bytes; larger files are rejected unread."),
    Setting("ZHISHUI_REFORM_REMIND_DAYS", list, ["30", "7", "1"],
            "Days before a reform deliverable is due on which its liaison is reminded (comma-separated)."),
    Setting("ZHISHUI_FILING_DEVIATION_TOLERANCE", str, "0.05",
            "Relative change of a pre-filled return cell (at least 1 元) above which the filed value is flagged "
            "for risk."),
    Setting("ZHISHUI_PUBLIC_URL", str, "http://127.0.0.1:8000",
            "Address the public reaches the platform at; invoice QR codes link to its verification page."),
    Setting("ZHISHUI_INVOICE_CHANNEL", int, 1,
            "Issuing-channel digit (5th of the 20) of the invoice numbers this installation assigns."),
    Setting("ZHISHUI_SIGNING_KEY_SECRET", str, "",
            "Key material for the SM4 encryption of the invoice-signing keys. Default: the secret key."),
    Setting("ZHISHUI_INVOICE_CREDIT_GENERAL", int, 2000000,
            "Initial monthly invoice credit line (yuan, excl. VAT) of a general taxpayer, before the industry factor."),
    Setting("ZHISHUI_INVOICE_CREDIT_SMALL_SCALE", int, 500000,
            "Initial monthly invoice credit line (yuan, excl. VAT) of a small-scale taxpayer, before the industry "
            "factor."),
    Setting("ZHISHUI_RED_REQUEST_HOURS", int, 72,
            "Hours a red-letter confirmation form waits for the other party before it is voided."),
    Setting("ZHISHUI_VERIFY_RATE_LIMIT", int, 30, "Public invoice verifications per client per minute (0: no limit)."),
    Setting("ZHISHUI_TASKS_BACKEND", str, "database",
            "Where background jobs (django-tasks) run: database (queued in the database, run by a worker process; "
            "see ZHISHUI_SERVE_WORKER and `zhishui worker`) or immediate (run inside the request that starts them; "
            "only for tiny installations and tests)."),
    Setting("ZHISHUI_SERVE_WORKER", bool, True,
            "`zhishui serve` (and `zhishui demo`) start one background-job worker next to the web server and stop it "
            "with the server. Turn off where workers run as a service of their own (`zhishui worker`)."),
    Setting("ZHISHUI_FAULT_POINT", str, "",
            "Test only: kill the process at a named point of the invoice-issuing transaction (docs/invoicing.md). "
            "Leave empty; it has no effect then."),
]}


def get(name: str) -> Any:
    setting = SETTINGS[name]
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return setting.default
    if setting.kind is bool:
        return _bool(raw)
    if setting.kind is int:
        return int(raw)
    if setting.kind is list:
        return _list(raw)
    return raw


TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def tasks() -> dict:
    """The django-tasks ``TASKS`` setting from ``ZHISHUI_TASKS_BACKEND``."""
    choice = get("ZHISHUI_TASKS_BACKEND")
    if choice not in TASK_BACKENDS:
        raise ValueError(f"ZHISHUI_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {choice!r}")
    return {"default": {"BACKEND": TASK_BACKENDS[choice], "QUEUES": ["default"]}}


def testing() -> bool:
    return "pytest" in sys.modules


def var_dir() -> Path:
    path = Path(get("ZHISHUI_VAR_DIR") or (Path.cwd() / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    given = get("ZHISHUI_SECRET_KEY")
    if given:
        return given
    path = var_dir() / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Every SQLite connection of the product: WAL, commits durable on power loss, foreign keys enforced.
SQLITE_INIT = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"


def database() -> dict:
    # The test suite takes its database from ZHISHUI_TEST_DATABASE_URL (the same suite runs on
    # SQLite and PostgreSQL); otherwise the product's own setting applies.
    url = (os.environ.get("ZHISHUI_TEST_DATABASE_URL") if testing() else None) or get("ZHISHUI_DATABASE_URL")
    if not url:
        db = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(var_dir() / "zhishui.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE: a write transaction takes the lock at BEGIN, so two writers queue
                # instead of one failing with "database is locked" half-way.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # synchronous=FULL: in WAL mode NORMAL may lose the last commits on a power failure, and an
                # acknowledged invoice must survive one (docs/decisions/0007-sqlite-synchronous-full.md).
                "init_command": SQLITE_INIT,
            },
            # Keep connections: opening one re-reads the schema, which costs more than a small request.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    else:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20,
                                                 "init_command": SQLITE_INIT})
    if testing():
        # Live-server threads must not keep connections open, or the test database cannot be dropped.
        db["CONN_MAX_AGE"] = 0
    db["TEST"] = {"NAME": os.environ.get("ZHISHUI_TEST_DATABASE_NAME") or None}
    db["ATOMIC_REQUESTS"] = False
    return db
